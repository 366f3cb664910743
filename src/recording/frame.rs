//! The file's framing: an 8-byte magic, then records framed as
//! `u32 LE length | u32 LE CRC32C(payload) | payload`.
//!
//! Scanning tells a torn last frame (what a crash mid-write leaves: a short frame, a partial
//! frame header, a bad checksum or zeros at the very end) from corruption before the end.

/// The first bytes of every recording file: "WALREC", a NUL, and the framing version.
pub(crate) const MAGIC: &[u8; 8] = b"WALREC\x00\x01";

/// Length and checksum before each payload.
pub(crate) const FRAME_HEADER_BYTES: usize = 8;

/// The largest payload a frame may carry; a longer one is corrupt.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 4 << 20;

/// Appends `payload` as one frame to `out`.
pub(crate) fn push_frame(payload: &[u8], out: &mut Vec<u8>) {
    // MAX_PAYLOAD_BYTES fits in u32; the writer never produces larger records.
    let length = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// One step of a scan.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    /// A frame whose checksum matches, at byte `offset` of the file.
    Intact { offset: u64, payload: &'a [u8] },
    /// The rest of the file, from `offset`, is not a whole frame: a torn last write.
    Torn { offset: u64, reason: String },
    /// The frame at `offset` is bad and more bytes follow it: real corruption.
    Corrupt { offset: u64, reason: String },
}

/// Walks the frames of a file's bytes after the magic.
#[derive(Debug)]
pub(crate) struct Frames<'a> {
    bytes: &'a [u8],
    position: usize,
    done: bool,
}

impl<'a> Frames<'a> {
    /// Frames from `position` (just after the magic) to the end of `bytes`.
    pub(crate) fn new(bytes: &'a [u8], position: usize) -> Self {
        Frames {
            bytes,
            position,
            done: false,
        }
    }

    fn stop(&mut self, frame: Frame<'a>) -> Option<Frame<'a>> {
        self.done = true;
        Some(frame)
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Frame<'a>;

    fn next(&mut self) -> Option<Frame<'a>> {
        if self.done || self.position >= self.bytes.len() {
            return None;
        }
        let offset = self.position as u64;
        let rest = &self.bytes[self.position..];
        if rest.iter().all(|&b| b == 0) {
            let reason = format!("{} zero bytes at the end", rest.len());
            return self.stop(Frame::Torn { offset, reason });
        }
        let Some((head, body)) = rest.split_first_chunk::<FRAME_HEADER_BYTES>() else {
            let reason = format!("a partial frame header of {} bytes", rest.len());
            return self.stop(Frame::Torn { offset, reason });
        };
        let length = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let checksum = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if length == 0 || length > MAX_PAYLOAD_BYTES {
            let reason = format!("impossible record length {length}");
            return self.stop(Frame::Corrupt { offset, reason });
        }
        let Some(payload) = body.get(..length) else {
            let reason = format!("a record of {length} bytes with {} present", body.len());
            return self.stop(Frame::Torn { offset, reason });
        };
        let is_last = body.len() == length;
        if crc32c::crc32c(payload) != checksum {
            let reason = "a checksum mismatch".to_owned();
            return self.stop(if is_last {
                Frame::Torn { offset, reason }
            } else {
                Frame::Corrupt { offset, reason }
            });
        }
        self.position += FRAME_HEADER_BYTES + length;
        Some(Frame::Intact { offset, payload })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(payloads: &[&[u8]]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        for payload in payloads {
            push_frame(payload, &mut bytes);
        }
        bytes
    }

    #[test]
    fn intact_frames_then_a_torn_tail() {
        let mut bytes = file(&[b"one", b"two"]);
        let whole = bytes.len();
        push_frame(b"three", &mut bytes);
        bytes.truncate(bytes.len() - 2);
        let frames: Vec<_> = Frames::new(&bytes, MAGIC.len()).collect();
        assert_eq!(frames.len(), 3);
        assert!(matches!(
            frames[1],
            Frame::Intact {
                payload: b"two",
                ..
            }
        ));
        assert!(matches!(frames[2], Frame::Torn { offset, .. } if offset == whole as u64));
    }

    #[test]
    fn a_bad_checksum_before_the_end_is_corruption_and_at_the_end_a_tear() {
        let mut bytes = file(&[b"one", b"two"]);
        let second = MAGIC.len() + FRAME_HEADER_BYTES + 3;
        bytes[second + FRAME_HEADER_BYTES] ^= 1;
        let last = Frames::new(&bytes, MAGIC.len()).last();
        assert!(matches!(last, Some(Frame::Torn { offset, .. }) if offset == second as u64));
        bytes[MAGIC.len() + FRAME_HEADER_BYTES] ^= 1;
        let first = Frames::new(&bytes, MAGIC.len()).next();
        assert!(matches!(first, Some(Frame::Corrupt { offset: 8, .. })));
    }
}
