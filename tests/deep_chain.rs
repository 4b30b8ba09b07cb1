//! Cancel and drop are iterative: a 1,000,000-deep chain overflows no stack.
use ctxgroup::{Context, VirtualClock};

const DEPTH: usize = 1_000_000;

fn chain(root: &Context) -> Context {
    let mut ctx = root.clone();
    for i in 0..DEPTH {
        ctx = if i % 3 == 0 {
            ctx.with_value(i)
        } else {
            ctx.with_cancel().0
        };
    }
    ctx
}

#[test]
fn cancelling_the_root_of_a_million_deep_chain_reaches_the_leaf() {
    let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let leaf = chain(&root);
    assert!(!leaf.is_cancelled());
    cancel.cancel();
    assert!(leaf.is_cancelled());
    drop(leaf); // and dropping it walks up a million parents without recursion
}

#[test]
fn dropping_a_million_deep_chain_uncancelled_is_fine() {
    let root = Context::with_clock(VirtualClock::new());
    let leaf = chain(&root);
    assert_eq!(leaf.value::<usize>(), Some(&(DEPTH - 1 - (DEPTH - 1) % 3)));
    drop(leaf);
    assert_eq!(root.children(), 0);
}
