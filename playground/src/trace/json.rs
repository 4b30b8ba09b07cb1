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

/// Writes `s` as a JSON string.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Escaping < keeps a trace safe to embed in an HTML <script>.
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
