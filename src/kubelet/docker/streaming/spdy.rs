//! The server half of SPDY/3.1 as Kubernetes clients speak it (moby/spdystream, what
//! client-go's port-forward runs, also tunnelled in WebSocket binary messages): the client
//! opens streams (SYN_STREAM with headers such as `streamType` and `port`), each is
//! answered with SYN_REPLY, and DATA frames carry each direction until its FIN. Header
//! blocks are zlib-compressed with SPDY's dictionary, one zlib stream per direction for
//! the connection's life. spdystream does no flow control, so neither do we
//! (WINDOW_UPDATE and SETTINGS are read and ignored); PINGs are answered.

use std::collections::HashMap;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

const VERSION: u16 = 3;
const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const FLAG_FIN: u8 = 0x01;
/// The largest DATA frame we send (spdystream reads any size up to 2^24).
pub const MAX_DATA: usize = 32 * 1024;
/// A frame larger than this is refused (client-go's header blocks are small).
const MAX_FRAME: usize = 1 << 24;

#[derive(Debug, thiserror::Error)]
pub enum SpdyError {
    #[error("reading SPDY frames: {0}")]
    Io(#[from] std::io::Error),
    #[error("SPDY header block: {0}")]
    Headers(String),
    #[error("SPDY frame of unsupported version {0}")]
    Version(u16),
}

/// SPDY/3's header-compression dictionary (the spec's, byte for byte): name/value words
/// with 32-bit big-endian lengths, then common values run together.
fn dictionary() -> Vec<u8> {
    const WORDS: [&str; 65] = [
        "options",
        "head",
        "post",
        "put",
        "delete",
        "trace",
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "accept-ranges",
        "age",
        "allow",
        "authorization",
        "cache-control",
        "connection",
        "content-base",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "date",
        "etag",
        "expect",
        "expires",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "pragma",
        "proxy-authenticate",
        "proxy-authorization",
        "range",
        "referer",
        "retry-after",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "method",
        "get",
        "status",
        "200 OK",
        "version",
        "HTTP/1.1",
        "url",
        "public",
        "set-cookie",
        "keep-alive",
        "origin",
    ];
    const TAIL: &str = "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505\
        203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized\
        403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable\
        Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT\
        chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,\
        text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
    let mut out = Vec::with_capacity(1423);
    for word in WORDS {
        out.extend_from_slice(&(word.len() as u32).to_be_bytes());
        out.extend_from_slice(word.as_bytes());
    }
    out.extend_from_slice(TAIL.as_bytes());
    out
}

/// Name/value header blocks: `u32 count`, then `u32 len, name, u32 len, value` each.
fn encode_headers(headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.put_u32(headers.len() as u32);
    for (name, value) in headers {
        out.put_u32(name.len() as u32);
        out.extend_from_slice(name.as_bytes());
        out.put_u32(value.len() as u32);
        out.extend_from_slice(value.as_bytes());
    }
    out
}

fn decode_headers(mut block: &[u8]) -> Result<Vec<(String, String)>, SpdyError> {
    let short = || SpdyError::Headers("truncated header block".into());
    let take = |block: &mut &[u8]| -> Result<String, SpdyError> {
        if block.len() < 4 {
            return Err(short());
        }
        let len = block.get_u32() as usize;
        if block.len() < len {
            return Err(short());
        }
        let text = String::from_utf8_lossy(&block[..len]).into_owned();
        block.advance(len);
        Ok(text)
    };
    if block.len() < 4 {
        return Err(short());
    }
    let count = block.get_u32();
    let mut headers = Vec::new();
    for _ in 0..count {
        let name = take(&mut block)?;
        let value = take(&mut block)?;
        headers.push((name.to_ascii_lowercase(), value));
    }
    Ok(headers)
}

/// The header compressor of one direction.
struct HeaderWriter {
    zlib: Compress,
}

impl HeaderWriter {
    fn new() -> HeaderWriter {
        let mut zlib = Compress::new(Compression::default(), true);
        // A fresh zlib-rs stream takes a dictionary before its first byte.
        let _ = zlib.set_dictionary(&dictionary());
        HeaderWriter { zlib }
    }

    fn compress(&mut self, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(plain.len() + 64);
        let mut consumed = 0usize;
        for _ in 0..64 {
            let before = self.zlib.total_in();
            if out.capacity() - out.len() < 64 {
                out.reserve(256);
            }
            if self.zlib.compress_vec(&plain[consumed..], &mut out, FlushCompress::Sync).is_err() {
                break;
            }
            consumed += (self.zlib.total_in() - before) as usize;
            // Done once everything is in and the flush fit with room to spare.
            if consumed >= plain.len() && out.capacity() - out.len() >= 64 {
                break;
            }
        }
        out
    }
}

/// The header decompressor of one direction.
struct HeaderReader {
    zlib: Decompress,
}

impl HeaderReader {
    fn inflate(&mut self, compressed: &[u8]) -> Result<Vec<u8>, SpdyError> {
        let mut out = Vec::with_capacity(compressed.len() * 4 + 256);
        let mut consumed = 0usize;
        for _ in 0..1024 {
            let (before_in, before_out) = (self.zlib.total_in(), self.zlib.total_out());
            if out.capacity() - out.len() < 256 {
                out.reserve(4096);
            }
            match self.zlib.decompress_vec(&compressed[consumed..], &mut out, FlushDecompress::Sync) {
                Ok(_) => {}
                Err(err) if err.needs_dictionary().is_some() => {
                    self.zlib.set_dictionary(&dictionary()).map_err(|e| SpdyError::Headers(e.to_string()))?;
                }
                Err(err) => return Err(SpdyError::Headers(err.to_string())),
            }
            consumed += (self.zlib.total_in() - before_in) as usize;
            let produced = self.zlib.total_out() - before_out;
            if consumed >= compressed.len() && produced == 0 {
                return Ok(out);
            }
        }
        Err(SpdyError::Headers("header block does not end".into()))
    }
}

/// What the session's writer sends.
enum Outgoing {
    Reply(u32),
    Data { stream: u32, data: Bytes, fin: bool },
    Ping(Bytes),
}

/// Sends on the session's streams; cheap to clone.
#[derive(Clone)]
pub struct Sender {
    tx: mpsc::Sender<Outgoing>,
}

impl Sender {
    /// Writes `data` on `stream`, in frames of at most [`MAX_DATA`]; false once the
    /// connection is gone.
    pub async fn data(&self, stream: u32, mut data: Bytes) -> bool {
        while !data.is_empty() {
            let chunk = data.split_to(data.len().min(MAX_DATA));
            if self.tx.send(Outgoing::Data { stream, data: chunk, fin: false }).await.is_err() {
                return false;
            }
        }
        true
    }

    /// Resolves when the connection is gone.
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Ends our side of `stream`.
    pub async fn close(&self, stream: u32) {
        let _ = self.tx.send(Outgoing::Data { stream, data: Bytes::new(), fin: true }).await;
    }
}

/// A stream the client opened (already answered with SYN_REPLY).
pub struct Stream {
    pub id: u32,
    pub headers: Vec<(String, String)>,
    /// The client's DATA, until its FIN (or a reset, or the connection's end).
    pub incoming: mpsc::Receiver<Bytes>,
}

impl Stream {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn control_frame(kind: u16, flags: u8, payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(8 + payload.len());
    frame.put_u16(0x8000 | VERSION);
    frame.put_u16(kind);
    frame.put_u32(((flags as u32) << 24) | payload.len() as u32);
    frame.extend_from_slice(payload);
    frame.freeze()
}

fn data_frame(stream: u32, fin: bool, data: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(8 + data.len());
    frame.put_u32(stream & 0x7fff_ffff);
    frame.put_u32(((if fin { FLAG_FIN } else { 0 } as u32) << 24) | data.len() as u32);
    frame.extend_from_slice(data);
    frame.freeze()
}

async fn write_frames<W: AsyncWrite + Unpin>(mut writer: W, mut rx: mpsc::Receiver<Outgoing>) {
    let mut headers = HeaderWriter::new();
    while let Some(first) = rx.recv().await {
        // What is queued goes out in one write.
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some(outgoing) = next.take() {
            let frame = match outgoing {
                Outgoing::Reply(stream) => {
                    let mut payload = stream.to_be_bytes().to_vec();
                    payload.extend(headers.compress(&encode_headers(&[])));
                    control_frame(SYN_REPLY, 0, &payload)
                }
                Outgoing::Data { stream, data, fin } => data_frame(stream, fin, &data),
                Outgoing::Ping(id) => control_frame(PING, 0, &id),
            };
            batch.extend_from_slice(&frame);
            if batch.len() < 256 * 1024 {
                next = rx.try_recv().ok();
            }
        }
        if writer.write_all(&batch).await.is_err() || writer.flush().await.is_err() {
            return;
        }
    }
    let _ = writer.shutdown().await;
}

/// Serves one SPDY connection: each stream the client opens is answered and handed to
/// `accept` with the session's [`Sender`]; returns when the connection ends.
pub async fn serve<IO, F>(io: IO, mut accept: F) -> Result<(), SpdyError>
where
    IO: AsyncRead + AsyncWrite + Send + 'static,
    F: FnMut(Stream, Sender),
{
    let (mut reader, writer) = tokio::io::split(io);
    let (tx, rx) = mpsc::channel(64);
    let writing = tokio::spawn(write_frames(writer, rx));
    let sender = Sender { tx };
    let mut headers = HeaderReader { zlib: Decompress::new(true) };
    let mut streams: HashMap<u32, mpsc::Sender<Bytes>> = HashMap::new();
    let result = async {
        loop {
            let mut head = [0u8; 8];
            match reader.read_exact(&mut head).await {
                Ok(_) => {}
                Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(err) => return Err(SpdyError::Io(err)),
            }
            let flags = head[4];
            let length = u32::from_be_bytes([0, head[5], head[6], head[7]]) as usize;
            if length > MAX_FRAME {
                return Err(SpdyError::Headers(format!("frame of {length} bytes")));
            }
            let mut payload = vec![0u8; length];
            reader.read_exact(&mut payload).await?;
            let fin = flags & FLAG_FIN != 0;
            if head[0] & 0x80 == 0 {
                let id = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
                let open = streams.get(&id).cloned();
                if let Some(incoming) = open {
                    // A stream whose reader went away just drops its data.
                    if !payload.is_empty() {
                        let _ = incoming.send(Bytes::from(payload)).await;
                    }
                }
                if fin {
                    streams.remove(&id);
                }
                continue;
            }
            let version = u16::from_be_bytes([head[0] & 0x7f, head[1]]);
            if version != VERSION {
                return Err(SpdyError::Version(version));
            }
            match u16::from_be_bytes([head[2], head[3]]) {
                SYN_STREAM if payload.len() >= 10 => {
                    let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) & 0x7fff_ffff;
                    let decoded = decode_headers(&headers.inflate(&payload[10..])?)?;
                    let (incoming_tx, incoming) = mpsc::channel(16);
                    if !fin {
                        streams.insert(id, incoming_tx);
                    }
                    let _ = sender.tx.send(Outgoing::Reply(id)).await;
                    accept(Stream { id, headers: decoded, incoming }, sender.clone());
                }
                RST_STREAM if payload.len() >= 4 => {
                    let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) & 0x7fff_ffff;
                    streams.remove(&id);
                }
                PING => {
                    let _ = sender.tx.send(Outgoing::Ping(Bytes::from(payload))).await;
                }
                GOAWAY => return Ok(()),
                _ => {}
            }
        }
    }
    .await;
    // The client is gone: its streams end, and what they still send goes nowhere.
    drop(streams);
    writing.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_spdy3s() {
        let dictionary = dictionary();
        assert_eq!(dictionary.len(), 1423);
        assert_eq!(&dictionary[..11], b"\0\0\0\x07options");
        assert!(dictionary.ends_with(b"enq=0."));
    }

    #[test]
    fn header_blocks_survive_compression_with_the_dictionary() {
        let mut writer = HeaderWriter::new();
        let mut reader = HeaderReader { zlib: Decompress::new(true) };
        for port in ["80", "8080"] {
            let plain = encode_headers(&[("streamtype", "data"), ("port", port), ("requestid", "0")]);
            let compressed = writer.compress(&plain);
            let headers = decode_headers(&reader.inflate(&compressed).unwrap()).unwrap();
            assert_eq!(headers[1], ("port".to_string(), port.to_string()));
        }
    }
}
