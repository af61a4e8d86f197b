//! Feeds arbitrary bytes, split into arbitrary reads, through a connection's framing watch
//! (the check that refuses requests with both `Content-Length` and `Transfer-Encoding`), and
//! checks that it never panics, never holds more than a bounded head, and flags the same
//! request however the bytes are split: at once, byte by byte, or in the pieces the input
//! chooses. A verdict that depended on the split would flag requests at random.
//!
//! Only one thing may differ with the split: when the stream ends inside a head (or chunk-size
//! line, or trailer section) that hyper would refuse, the watch may or may not have noticed yet
//! (it parses only when a line ends).
//!
//! Input format: the first byte is how many piece sizes follow (at most 16), each one byte;
//! the rest is the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recotap_mock::__fuzz::{watch_framing, FramingOutcome};

fuzz_target!(|input: &[u8]| {
    let Some((&count, rest)) = input.split_first() else {
        return;
    };
    let count = usize::from(count % 17).min(rest.len());
    let (sizes, stream) = rest.split_at(count);
    let pieces: Vec<usize> = sizes.iter().map(|size| usize::from(*size)).collect();
    let whole = watch_framing(stream, &[]);
    let chosen = watch_framing(stream, &pieces);
    let bytes = watch_framing(stream, &vec![1; stream.len()]);
    agree(&whole, &chosen, &format!("split into {pieces:?}"));
    agree(&whole, &bytes, "split byte by byte");
});

fn agree(whole: &FramingOutcome, split: &FramingOutcome, how: &str) {
    assert_eq!(
        split.flagged, whole.flagged,
        "{how}: {split:?} vs {whole:?}"
    );
    if split.following != whole.following {
        let unfinished = if split.following { split } else { whole };
        assert!(
            unfinished.pending_head > 0,
            "{how}: only an unfinished head may be judged later: {split:?} vs {whole:?}"
        );
    }
}
