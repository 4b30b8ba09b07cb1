//! Bad scenarios get clear errors: line, column, the offending text, a hint. Never a panic.
use ctxgroup_playground::scenario::{parse, ParseError};

fn first_error(text: &str) -> ParseError {
    parse(text).expect_err("should not parse").0.remove(0)
}

#[test]
fn an_unknown_unit_points_at_the_unit() {
    let e = first_error("timeout 7s\ntask t1 5sx");
    assert_eq!((e.line, e.col, e.end_col), (2, 10, 12));
    assert_eq!(
        e.to_string(),
        r#"line 2, col 10: unknown unit "sx" in "5sx" (use ms, s, m or h)"#
    );
    assert_eq!(e.source_line, "task t1 5sx");
}

#[test]
fn a_misspelt_keyword_gets_a_suggestion() {
    let e = first_error("timout 7s");
    assert_eq!((e.line, e.col), (1, 1));
    assert_eq!(e.hint, "did you mean `timeout`?");
}

#[test]
fn an_unknown_option_gets_a_suggestion() {
    let e = first_error("task t1 5s chek=never");
    assert_eq!(e.col, 12);
    assert_eq!(e.message, r#"unknown option "chek""#);
    assert_eq!(e.hint, "did you mean `check`?");
}

#[test]
fn duplicate_task_names_name_the_first_line() {
    let e = first_error("task a 1s\ntask b 1s\ntask a 2s");
    assert_eq!((e.line, e.col), (3, 6));
    assert!(e.message.contains("first used on line 1"), "{e}");
}

#[test]
fn the_same_name_in_different_groups_is_fine() {
    parse("task a 1s\ngroup g {\n  task a 1s\n}").unwrap();
}

#[test]
fn a_check_step_longer_than_the_task_is_an_error() {
    let e = first_error("task t1 5s check=every:6s");
    assert_eq!(e.col, 18);
    assert!(e.message.contains("longer than the task"), "{e}");
}

#[test]
fn zero_and_negative_durations_are_errors() {
    assert!(first_error("task t 0s").message.contains("zero duration"));
    assert!(first_error("timeout -3s").message.contains("negative"));
    assert!(first_error("task t 5").message.contains("no unit"));
    assert!(first_error("task t 1.0005s")
        .message
        .contains("finer than 1 ms"));
    parse("task t 1s after=0s\ncancel 0s").unwrap();
}

#[test]
fn an_unclosed_group_points_at_its_opening_line() {
    let e = first_error("timeout 3s\ngroup batch limit=1 {\n  task b1 1s\n");
    assert_eq!((e.line, e.col), (2, 1));
    assert_eq!(e.message, "group batch is never closed");
}

#[test]
fn a_stray_closing_brace_is_an_error() {
    let e = first_error("task a 1s\n}");
    assert_eq!((e.line, e.col), (2, 1));
}

#[test]
fn settings_inside_a_group_are_explained() {
    let e = first_error("group g {\n  timeout 1s\n  task a 1s\n}");
    assert_eq!(e.line, 2);
    assert!(e.hint.contains("group g timeout="), "{e}");
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let errs = parse("tsk a 1s\ntask b 1q\ntask c 1s check=sometimes\nlimit zero").unwrap_err();
    let lines: Vec<usize> = errs.0.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 2, 3, 4]);
}

#[test]
fn an_unterminated_string_is_an_error() {
    let e = first_error("task a 1s fail=\"HTTP 502");
    assert_eq!(e.col, 16);
    assert_eq!(e.message, "unterminated string");
}

#[test]
fn expectations_must_name_real_tasks() {
    let e = first_error("task a 1s\nexpect b completed at 1s");
    assert_eq!((e.line, e.col), (2, 8));
    assert_eq!(e.message, r#"no task named "b""#);
}

#[test]
fn limits_are_checked() {
    let many: String = (0..10_001).map(|i| format!("task t{i} 1s\n")).collect();
    assert!(first_error(&many).message.contains("more than 10000 tasks"));
    let deep: String = (0..17)
        .map(|i| format!("group g{i} {{\n"))
        .chain((0..17).map(|_| "}\n".to_string()))
        .collect();
    assert!(first_error(&deep).message.contains("nested deeper than 16"));
    assert!(first_error("task t 1000001s").message.contains("limit"));
    let long = "# ".repeat(600_000);
    assert!(first_error(&long).message.contains("byte limit"));
}

#[test]
fn names_are_checked_and_reserved_words_refused() {
    assert!(first_error("task a/b 1s")
        .message
        .contains("not a valid task name"));
    assert!(first_error("task returned 1s").message.contains("reserved"));
}

#[test]
fn a_misspelt_on_error_policy_gets_a_suggestion() {
    let e = first_error("on-error colect");
    assert_eq!((e.line, e.col, e.end_col), (1, 10, 16));
    assert_eq!(e.message, r#"unknown on-error "colect""#);
    assert!(e.hint.starts_with("did you mean `collect`?"), "{}", e.hint);
    let e = first_error("group g on-error=colect {\n}");
    assert_eq!(e.col, 18);
}

#[test]
fn a_quoted_newline_is_a_newline() {
    let s = parse("task a 1s\nexpect returned \"x\\ny\"").unwrap();
    assert_eq!(s.expects[0].error, Some(Some("x\ny".to_string())));
}

#[test]
fn a_cause_needs_a_timeout_and_a_text() {
    let e = first_error("task t 1s cause=\"slow\"");
    assert_eq!((e.col, e.end_col), (11, 23));
    assert_eq!(
        e.message,
        "cause= gives the cause of a timeout, and task t has none"
    );
    assert_eq!(
        e.hint,
        "add timeout=…, as in: task t 1s timeout=2s cause=\"slow\""
    );
    let e = first_error("group g cause=x {\n}");
    assert!(e.message.contains("group g has none"), "{e}");
    let e = first_error("task t 1s timeout=1s cause=");
    assert_eq!(e.message, "cause= needs a text");
    let e = first_error("timeout 7s caus=\"SLA\"");
    assert_eq!(e.hint, "did you mean `cause`?");
    let e = first_error("limit 2 cause=x");
    assert!(e.message.contains("unexpected"), "{e}");
    let e = first_error("cancel 3s \"why\"");
    assert_eq!(e.col, 11);
    assert!(e.hint.contains("cause=\"why\""), "{}", e.hint);
}

#[test]
fn try_is_a_flag_of_tasks_only() {
    let e = first_error("task t 1s try try");
    assert_eq!((e.col, e.message.as_str()), (15, "`try` is given twice"));
    let e = first_error("task t 1s tyr");
    assert_eq!(e.hint, "did you mean `try`?");
    let e = first_error("group g try {\n}");
    assert!(e.message.contains("unexpected \"try\""), "{e}");
    assert!(e.hint.contains("only a task"), "{}", e.hint);
    let s = parse("limit 1\ntask a 1s\ntask b 1s try\nexpect b skipped").unwrap();
    assert_eq!(s.expects.len(), 1);
}

#[test]
fn go_lines_belong_in_a_tasks_block() {
    let e = first_error("go w 1s");
    assert_eq!((e.col, e.end_col), (1, 3));
    assert_eq!(
        e.message,
        "`go` starts a goroutine of a task: it goes inside a task's block"
    );
    let e = first_error("task t 1s {\n  go w 1s after=1s\n}");
    assert_eq!((e.line, e.col), (2, 11));
    assert!(
        e.message.contains("a goroutine starts with its task"),
        "{e}"
    );
    let e = first_error("task t 1s {\n  go w 1s try\n}");
    assert_eq!((e.line, e.col), (2, 11));
    let e = first_error("task t 1s {\n  task u 1s\n}");
    assert!(e.hint.contains("go u"), "{}", e.hint);
    let e = first_error("task t 1s {\n  go w 1s\n  go w 2s\n}");
    assert!(e.message.contains("duplicate name"), "{e}");
    let e = first_error("task t 1s {\n  go w 1s\n");
    assert!(e.message.contains("task t is never closed"), "{e}");
    let e = first_error("task t 1s {\n  timeout 1s\n}");
    assert!(e.message.contains("inside task t"), "{e}");
}

#[test]
fn go_nesting_counts_towards_the_depth_limit() {
    let depth = ctxgroup_playground::scenario::MAX_DEPTH;
    let mut text = String::from("task t 1s {\n");
    for i in 0..depth {
        text += &format!("go g{i} 1s {{\n");
    }
    text += &"}\n".repeat(depth + 1);
    let e = first_error(&text);
    assert!(e.message.contains("nested deeper than"), "{e}");
}

#[test]
fn without_cancel_is_a_flag_of_tasks() {
    let e = first_error("task t 1s without-cancel without-cancel");
    assert_eq!(e.message, "`without-cancel` is given twice");
    let e = first_error("task t 1s withoutcancel");
    assert_eq!(e.hint, "did you mean `without-cancel`?");
    let e = first_error("task t 1s without-cancel timeout=1s");
    assert_eq!(e.col, 11);
    assert!(e.message.contains("without-cancel"), "{e}");
    let e = first_error("task t 1s {\n  go w 1s without-cancel\n}");
    assert!(e.message.contains("go"), "{e}");
}

#[test]
fn after_cancel_takes_a_name_and_a_duration() {
    let e = first_error("after-cancel");
    assert_eq!(e.message, "after-cancel needs a name and a duration");
    let e = first_error("after-cancel c 1s check=never");
    assert_eq!(
        (e.col, e.message.as_str()),
        (19, "unexpected \"check=never\"")
    );
    let e = first_error("after-cancl c 1s");
    assert_eq!(e.hint, "did you mean `after-cancel`?");
    let e = first_error("task c 1s\nafter-cancel c 1s");
    assert!(e.message.contains("duplicate name"), "{e}");
}

#[test]
fn shutdown_needs_a_time_and_a_grace_at_the_top() {
    let e = first_error("shutdown 5s");
    assert_eq!(e.message, "shutdown needs grace=");
    let e = first_error("shutdown 5s grace=1s grace=2s");
    assert!(e.message.contains("given twice"), "{e}");
    let e = first_error("shutdown 5s grce=1s");
    assert_eq!(e.hint, "did you mean `grace`?");
    let e = first_error("wait cancel\nshutdown 5s grace=1s");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("wait cancel"), "{e}");
    let e = first_error("group g {\n  shutdown 5s grace=1s\n}");
    assert!(e.message.contains("inside group g"), "{e}");
}

#[test]
fn pasted_text_gets_errors_about_what_was_pasted() {
    // A byte-order mark (Windows Notepad) and a zero-width space count as spaces.
    let s = parse("\u{feff}timeout 1s\ntask a 1s\u{200b}\n").unwrap();
    assert_eq!(s.group.timeout, Some(std::time::Duration::from_secs(1)));
    // Curly quotes (word processors, phones) are pointed at.
    let e = first_error("task a 1s fail=“HTTP 502”");
    assert_eq!((e.col, e.message.as_str()), (16, "a curly quote “"));
    assert_eq!(e.hint, r#"write straight quotes: fail="HTTP 502""#);
    // An invisible control character is named and pointed at.
    let e = first_error("task a 1s\u{0}");
    assert_eq!(
        (e.col, e.message.as_str()),
        (10, "an invisible control character (U+0000)")
    );
}

#[test]
fn a_block_written_on_one_line_says_where_its_lines_go() {
    for text in ["group g { task a 1s }", "task a 3s { go b 1s }"] {
        let e = first_error(text);
        assert_eq!(
            e.message, "a block's lines go below the line that opens it",
            "{text}"
        );
        assert_eq!(e.col, text.find('{').unwrap() + 1, "{text}");
    }
}

#[test]
fn a_negative_or_huge_limit_says_what_is_wrong_with_it() {
    assert_eq!(
        first_error("limit -1").message,
        "a limit cannot be negative"
    );
    assert_eq!(
        first_error("limit 99999999999999999999").message,
        "a limit above 10000 means no limit"
    );
    assert_eq!(
        first_error("limit two").message,
        r#""two" is not a whole number"#
    );
}

#[test]
fn odd_limits_and_durations_get_the_right_message() {
    assert_eq!(
        first_error("limit \"\"").message,
        r#""" is not a whole number"#
    );
    assert_eq!(
        first_error("limit -abc").message,
        r#""-abc" is not a whole number"#
    );
    let e = first_error("timeout 1s500");
    assert_eq!(e.hint, "end it with its unit, as in 1s500ms");
    // A quoted duration: the whole token, since its text's columns are not the line's.
    let e = first_error("timeout \"1m3x\"");
    assert_eq!((e.col, e.end_col), (9, 15), "{e}");
    assert_eq!(first_error("task a 1s fail=‘x’").message, "a curly quote ‘");
}

#[test]
fn a_task_that_runs_forever_cannot_fail() {
    // Its error comes when its time is up: never. Pointed at fail=, with a fix.
    let e = first_error("task a forever fail=\"HTTP 502\"");
    assert_eq!((e.line, e.col), (1, 16), "{e}");
    assert_eq!(e.message, "task a runs forever, so it never fails");
    assert_eq!(e.hint, "give it a length: task a 5s fail=\"HTTP 502\"");
    let e = first_error("task t 1s {\n  go w forever fail=x\n}");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("w runs forever"), "{e}");
    // The hint reads back as the same error text.
    let e = first_error("task a forever fail=\"a\\\"b\\nc\\\\d\"");
    let hint = e.hint.strip_prefix("give it a length: ").unwrap();
    let again = parse(hint).unwrap();
    match &again.group.items[0] {
        ctxgroup_playground::scenario::Item::Task(t) => {
            assert_eq!(t.fail.as_deref(), Some("a\"b\nc\\d"), "{hint}")
        }
        _ => unreachable!(),
    }
    parse("task a forever check=never\ntask b 5s fail=x\n").unwrap();
}

#[test]
fn a_learners_slips_get_errors_that_say_what_to_write() {
    // From a learner's audit: each was refused with a message about something else, or read
    // wrongly.
    let e = first_error("task 5s\n");
    assert_eq!(
        e.message,
        "a task needs a name: \"5s\" reads as its duration"
    );
    assert_eq!(e.hint, "for example: task t1 5s");
    let e = first_error("task a 1s fail=HTTP 502\n");
    assert_eq!(
        (e.col, e.hint.as_str()),
        (21, "quote a value with spaces: fail=\"HTTP 502\"")
    );
    let e = first_error("task a 1s fail='x'\n");
    assert_eq!(e.hint, "write double quotes: fail=\"x\"");
    let e = first_error("deadline 5s\ntask a 1s\n");
    assert!(e.hint.contains("`timeout 5s`"), "{}", e.hint);
    // Go's spelling of the outcome is read as the playground's.
    let s = parse("timeout 1s\ntask a 2s\nexpect a canceled at 1s\n").unwrap();
    let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
    assert!(t.expectations[0].ok, "{}", t.expectations[0].message);
}

#[test]
fn blocks_nested_too_deep_are_reported_once() {
    let mut text = String::new();
    for i in 0..60 {
        text += &format!("{}group g{i} {{\n", "  ".repeat(i));
    }
    text += "task t 1s\n";
    for i in (0..60).rev() {
        text += &format!("{}}}\n", "  ".repeat(i));
    }
    let errors = parse(&text).unwrap_err();
    let deep = errors
        .0
        .iter()
        .filter(|e| e.message.contains("nested deeper"))
        .count();
    assert_eq!(deep, 1, "{errors:?}");
}

#[test]
fn an_options_form_on_a_line_of_its_own_and_a_spaced_step_say_what_to_write() {
    let e = first_error("timeout=2s\ntask a 1s\n");
    assert_eq!(
        e.hint,
        "write `timeout 2s`: key=value is for a task's or a group's options"
    );
    // `check=every 1s`: the step's own error first, and the stray word's hint agrees with it.
    let errors = parse("task a 1s check=every 1s\n").unwrap_err();
    assert!(
        errors.0.iter().all(|e| !e.hint.contains("\"every 1s\"")),
        "{errors}"
    );
    assert_eq!(errors.0[1].hint, "write check=every:1s");
}
