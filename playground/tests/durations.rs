//! Durations are read and written in Go's units: `1h30m` and `1m30.5s` parse as in Go's
//! `time.ParseDuration`, and every duration the playground writes reads back as itself.
use std::time::Duration;

use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::simulate;

fn timeout_of(text: &str) -> Duration {
    parse(&format!("timeout {text}\ntask t 1ms"))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .group
        .timeout
        .unwrap()
}

#[test]
fn hours_minutes_and_seconds_combine_as_in_go() {
    let ms = Duration::from_millis;
    assert_eq!(timeout_of("1h30m"), ms(5_400_000));
    assert_eq!(timeout_of("1m30.5s"), ms(90_500));
    assert_eq!(timeout_of("1h0m5s"), ms(3_605_000));
    assert_eq!(timeout_of("2h"), ms(7_200_000));
    assert_eq!(timeout_of("1.5h"), ms(5_400_000));
    assert_eq!(timeout_of("1s500ms"), ms(1500));
}

#[test]
fn go_s_finer_units_are_read_when_they_make_whole_milliseconds() {
    let ms = Duration::from_millis;
    assert_eq!(timeout_of("2000us"), ms(2));
    assert_eq!(timeout_of("3000µs"), ms(3)); // U+00B5, as Go
    assert_eq!(timeout_of("4000μs"), ms(4)); // U+03BC, as Go
    assert_eq!(timeout_of("5000000ns"), ms(5));
    assert_eq!(timeout_of("1s500000us"), ms(1500));
    let err = |text: &str| parse(text).expect_err(text).0.remove(0);
    let e = err("timeout 1500us");
    assert_eq!(e.message, "1500us is finer than 1 ms");
    assert_eq!(e.hint, "round it to whole milliseconds: 1ms or 2ms");
    let e = err("timeout 500us");
    assert_eq!(e.hint, "round it to whole milliseconds: 1ms");
    let e = err("timeout 1s1ns");
    assert_eq!(e.hint, "round it to whole milliseconds: 1s or 1.001s");
}

#[test]
fn a_bad_part_of_a_combined_duration_is_pointed_at() {
    let err = |text: &str| parse(text).expect_err(text).0.remove(0);
    let e = err("timeout 1m30x");
    assert_eq!((e.col, e.end_col), (13, 14), "{e}");
    assert_eq!(e.message, r#"unknown unit "x" in "1m30x""#);
    assert_eq!(e.hint, "use ms, s, m or h");
    let e = err("timeout 1m30");
    assert_eq!(e.message, r#""1m30" ends without a unit"#);
    assert_eq!(e.hint, "end it with its unit, as in 1m30ms");
    assert!(err("timeout 1m.s").message.contains("is not a duration"));
    assert!(err("timeout 1h0.0005s").message.contains("finer than 1 ms"));
    assert!(err("timeout 277h46m41s").message.contains("longer than"));
    assert_eq!(timeout_of("277h46m40s"), Duration::from_secs(1_000_000));
}

#[test]
fn every_duration_written_reads_back_as_itself() {
    for ms in [
        1,
        999,
        1000,
        1500,
        59_999,
        60_000,
        60_001,
        90_500,
        3_599_999,
        3_600_000,
        3_600_001,
        3_605_000,
        86_400_000,
        999_999_999,
        1_000_000_000,
    ] {
        let trace = simulate(&parse(&format!("task t {ms}ms")).unwrap()).unwrap();
        let summary = trace.summary();
        let written = summary
            .strip_prefix("returned at ")
            .and_then(|s| s.split(':').next())
            .unwrap_or_else(|| panic!("{summary}"));
        assert_eq!(
            timeout_of(written),
            Duration::from_millis(ms),
            "{ms} ms written as {written}"
        );
    }
}

#[test]
fn minutes_and_hours_are_written_as_go_does() {
    let written = |ms: u64| {
        let trace = simulate(&parse(&format!("task t {ms}ms")).unwrap()).unwrap();
        trace.summary()
    };
    assert!(written(45).starts_with("returned at 45ms:"));
    assert!(written(1500).starts_with("returned at 1.5s:"));
    assert!(written(120_000).starts_with("returned at 2m:"));
    assert!(written(359_955).starts_with("returned at 5m59.955s:"));
    assert!(written(3_605_000).starts_with("returned at 1h0m5s:"));
}

#[test]
fn many_digits_are_read_as_go_reads_them_not_as_too_long() {
    // Go's ParseDuration takes any number of fraction digits and leading zeros.
    let ms = Duration::from_millis;
    assert_eq!(timeout_of("1.500000000000000000000000s"), ms(1500));
    assert_eq!(timeout_of("0000000000000000000002s"), ms(2000));
    let err = |text: &str| {
        parse(&format!("timeout {text}\ntask t 1ms"))
            .unwrap_err()
            .to_string()
    };
    let e = err("1.9999999999999999999s");
    assert!(
        e.contains("1.9999999999999999999s is finer than 1 ms"),
        "{e}"
    );
    assert!(
        e.contains("round it to whole milliseconds: 1.999s or 2s"),
        "{e}"
    );
    let e = err("1.0000000000000000000000000000000000000000001s");
    assert!(e.contains("finer than 1 ms"), "{e}");
    assert!(e.contains("1s or 1.001s"), "{e}");
    let e = err("0.00000000000000000000001h");
    assert!(e.contains("round it to whole milliseconds: 1ms"), "{e}");
    // Still too long when it is: a thousand whole digits.
    let e = err(&format!("{}s", "9".repeat(1000)));
    assert!(e.contains("longer than the"), "{e}");
}

#[test]
fn the_forms_go_takes_besides_digits_unit() {
    // time.ParseDuration takes a leading +, a number with nothing before or after its point,
    // and a bare 0.
    let ms = Duration::from_millis;
    assert_eq!(timeout_of(".5s"), ms(500));
    assert_eq!(timeout_of("5.s"), ms(5000));
    assert_eq!(timeout_of("+1s"), ms(1000));
    assert_eq!(timeout_of("+1m.5s"), ms(60_500));
    let after = parse("task a 1s after=0").unwrap();
    assert!(
        matches!(&after.group.items[0], ctxgroup_playground::scenario::Item::Task(t) if t.after == Duration::ZERO)
    );
    let err = |text: &str| {
        parse(&format!("timeout {text}\ntask t 1ms"))
            .unwrap_err()
            .to_string()
    };
    assert!(err("0").contains("zero duration"), "{}", err("0"));
    for bad in [".s", "1..5s", "+", "++1s", "5"] {
        let e = err(bad);
        assert!(!e.is_empty() && !e.contains("panicked"), "{bad}: {e}");
    }
    assert!(err("5").contains("\"5\" has no unit"), "{}", err("5"));
    assert!(err("+5").contains("has no unit"), "{}", err("+5"));
    assert!(err("+").contains("\"+\" is not a duration"), "{}", err("+"));
}
