//! An error type whose conversions are user code that panics: the conversion of a task's panic
//! always; with `ALL`, every conversion a group makes.

/// See the module.
#[derive(Debug)]
pub struct Touchy<const ALL: bool = false>;

impl<const ALL: bool> std::fmt::Display for Touchy<ALL> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("touchy")
    }
}

impl<const ALL: bool> From<ctxgroup::Reason> for Touchy<ALL> {
    fn from(_: ctxgroup::Reason) -> Self {
        assert!(!ALL, "From<Reason> panics");
        Touchy
    }
}

impl<const ALL: bool> From<ctxgroup::Errors> for Touchy<ALL> {
    fn from(_: ctxgroup::Errors) -> Self {
        assert!(!ALL, "From<Errors> panics");
        Touchy
    }
}

impl<const ALL: bool> From<ctxgroup::error::Panicked> for Touchy<ALL> {
    fn from(_: ctxgroup::error::Panicked) -> Self {
        panic!("the conversion panics")
    }
}
