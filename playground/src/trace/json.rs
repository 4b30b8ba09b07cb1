//! A tiny JSON writer: enough for traces, deterministic, no dependency.

pub(crate) struct JsonWriter {
    out: String,
    /// Per open container: whether the next element needs a comma before it.
    need_comma: Vec<bool>,
    /// A key was just written: the next value follows it directly.
    after_key: bool,
}

impl JsonWriter {
    pub(crate) fn new() -> Self {
        JsonWriter {
            out: String::with_capacity(4096),
            need_comma: vec![false],
            after_key: false,
        }
    }

    fn before_value(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(need) = self.need_comma.last_mut() {
            if *need {
                self.out.push(',');
            }
            *need = true;
        }
    }

    pub(crate) fn begin_object(&mut self) {
        self.before_value();
        self.out.push('{');
        self.need_comma.push(false);
    }

    pub(crate) fn end_object(&mut self) {
        self.need_comma.pop();
        self.out.push('}');
    }

    pub(crate) fn begin_array(&mut self) {
        self.before_value();
        self.out.push('[');
        self.need_comma.push(false);
    }

    pub(crate) fn end_array(&mut self) {
        self.need_comma.pop();
        self.out.push(']');
    }

    pub(crate) fn key(&mut self, key: &str) {
        self.before_value();
        escape_into(&mut self.out, key);
        self.out.push(':');
        self.after_key = true;
    }

    pub(crate) fn raw(&mut self, raw: &str) {
        self.before_value();
        self.out.push_str(raw);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.before_value();
        escape_into(&mut self.out, s);
    }

    pub(crate) fn null(&mut self) {
        self.raw("null");
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub(crate) fn opt_raw(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.raw(s),
            None => self.null(),
        }
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Writes `s` as a JSON string. Runs of characters that need no escape are copied whole (a
/// chart's SVG is tens of kilobytes of them).
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let (mut from, mut i) = (0, 0);
    while i < bytes.len() {
        let (escaped, len): (&str, usize) = match bytes[i] {
            b'"' => ("\\\"", 1),
            b'\\' => ("\\\\", 1),
            b'\n' => ("\\n", 1),
            b'\r' => ("\\r", 1),
            b'\t' => ("\\t", 1),
            // Escaping < keeps a trace safe to embed in an HTML <script>.
            b'<' => ("\\u003c", 1),
            // U+2028 and U+2029 end a line in JavaScript source.
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                (
                    if bytes[i + 2] == 0xA8 {
                        "\\u2028"
                    } else {
                        "\\u2029"
                    },
                    3,
                )
            }
            b if b < 0x20 => ("", 1),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[from..i]);
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(bytes[i] >> 4)] as char);
            out.push(HEX[usize::from(bytes[i] & 15)] as char);
        } else {
            out.push_str(escaped);
        }
        i += len;
        from = i;
    }
    out.push_str(&s[from..]);
    out.push('"');
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::escape_into;
    use proptest::prelude::*;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, s);
        out
    }

    #[test]
    fn escapes_what_json_and_script_embedding_need() {
        assert_eq!(
            escaped("a\"b\\c\nd\re\tf<g"),
            r#""a\"b\\c\nd\re\tf\u003cg""#
        );
        assert_eq!(escaped("\u{1}\u{1f}x"), r#""\u0001\u001fx""#);
        assert_eq!(escaped("é\u{2028}ü\u{2029}→"), "\"é\\u2028ü\\u2029→\"");
        assert_eq!(escaped(""), "\"\"");
    }

    proptest! {
        #[test]
        fn any_string_reads_back_and_embeds_safely(s in any::<String>()) {
            let out = escaped(&s);
            prop_assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
            let unsafe_char = |c: char| c == '<' || c == '\u{2028}' || c == '\u{2029}' || (c as u32) < 0x20;
            prop_assert!(!out.chars().any(unsafe_char), "{:?}", out);
        }
    }
}
