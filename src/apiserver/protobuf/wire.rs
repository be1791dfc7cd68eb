//! Protobuf wire-format reading: just enough to walk k8s messages without trusting the input.

use super::ProtobufError;

/// Wire types of the protobuf encoding.
pub const VARINT: u8 = 0;
pub const FIXED64: u8 = 1;
pub const LEN: u8 = 2;
pub const FIXED32: u8 = 5;

/// A cursor over one message's bytes; every read is bounds-checked.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let byte = *self.buf.get(self.pos).ok_or(ProtobufError::Truncated)?;
            self.pos += 1;
            if i == 9 && byte > 1 {
                return Err(ProtobufError::VarintOverflow);
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtobufError::VarintOverflow)
    }

    /// Reads a field key: (field number, wire type).
    pub fn key(&mut self) -> Result<(u32, u8), ProtobufError> {
        let key = self.varint()?;
        let tag = u32::try_from(key >> 3).map_err(|_| ProtobufError::InvalidFieldNumber(key >> 3))?;
        if tag == 0 {
            return Err(ProtobufError::InvalidFieldNumber(0));
        }
        Ok((tag, (key & 7) as u8))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], ProtobufError> {
        let len = usize::try_from(self.varint()?).map_err(|_| ProtobufError::Truncated)?;
        let end = self.pos.checked_add(len).ok_or(ProtobufError::Truncated)?;
        let out = self.buf.get(self.pos..end).ok_or(ProtobufError::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    pub fn fixed64(&mut self) -> Result<[u8; 8], ProtobufError> {
        let end = self.pos.checked_add(8).ok_or(ProtobufError::Truncated)?;
        let out = self.buf.get(self.pos..end).ok_or(ProtobufError::Truncated)?;
        self.pos = end;
        out.try_into().map_err(|_| ProtobufError::Truncated)
    }

    fn fixed32(&mut self) -> Result<(), ProtobufError> {
        let end = self.pos.checked_add(4).ok_or(ProtobufError::Truncated)?;
        self.buf.get(self.pos..end).ok_or(ProtobufError::Truncated)?;
        self.pos = end;
        Ok(())
    }

    /// Skips a field this table does not know (newer Kubernetes fields), as protobuf requires.
    pub fn skip(&mut self, wire_type: u8) -> Result<(), ProtobufError> {
        match wire_type {
            VARINT => self.varint().map(drop),
            FIXED64 => self.fixed64().map(drop),
            LEN => self.bytes().map(drop),
            FIXED32 => self.fixed32(),
            other => Err(ProtobufError::UnsupportedWireType(other)),
        }
    }
}

/// Appends `value` as a varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a field key.
pub fn put_key(out: &mut Vec<u8>, tag: u32, wire_type: u8) {
    put_varint(out, u64::from(tag) << 3 | u64::from(wire_type));
}

/// Appends a length-delimited field.
pub fn put_bytes(out: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
    put_key(out, tag, LEN);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Appends a length-delimited field whose content `body` writes in place: one byte is kept
/// for the length and the content moved up only when its length needs more, so nested
/// messages are written once, without sizing them first.
pub fn put_nested<T>(out: &mut Vec<u8>, tag: u32, body: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    put_key(out, tag, LEN);
    let at = out.len();
    out.push(0);
    let result = body(out);
    let len = out.len() - at - 1;
    if len < 0x80 {
        out[at] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(10);
        put_varint(&mut prefix, len as u64);
        let extra = prefix.len() - 1;
        out.resize(out.len() + extra, 0);
        out.copy_within(at + 1..at + 1 + len, at + 1 + extra);
        out[at..at + prefix.len()].copy_from_slice(&prefix);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_reads_multibyte_and_negative_values() {
        assert_eq!(Reader::new(&[0x96, 0x01]).varint().unwrap(), 150);
        let minus_one = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&minus_one).varint().unwrap() as i64, -1);
    }

    #[test]
    fn varint_rejects_overlong_and_truncated_input() {
        assert!(matches!(Reader::new(&[0xff; 11]).varint(), Err(ProtobufError::VarintOverflow)));
        assert!(matches!(Reader::new(&[0x80]).varint(), Err(ProtobufError::Truncated)));
    }

    #[test]
    fn bytes_rejects_length_past_end() {
        assert!(matches!(Reader::new(&[0x05, 1, 2]).bytes(), Err(ProtobufError::Truncated)));
        let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert!(matches!(Reader::new(&huge).bytes(), Err(ProtobufError::Truncated)));
    }

    #[test]
    fn nested_fields_of_every_length_read_back() {
        for len in [0, 1, 127, 128, 300, 16_384, 70_000] {
            let mut out = vec![9];
            put_nested(&mut out, 3, |out| out.extend(std::iter::repeat(7).take(len)));
            let mut reader = Reader::new(&out[1..]);
            assert_eq!(reader.key().unwrap(), (3, LEN));
            assert_eq!(reader.bytes().unwrap().len(), len);
            assert!(reader.is_empty());
        }
    }

    #[test]
    fn skip_rejects_group_wire_types() {
        assert!(matches!(Reader::new(&[]).skip(3), Err(ProtobufError::UnsupportedWireType(3))));
    }
}
