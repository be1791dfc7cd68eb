//! Reading Kubernetes' channel WebSocket framing (`v4`/`v5.channel.k8s.io` for exec and
//! attach, `portforward.k8s.io` channels): each binary message is one channel byte and its
//! payload. The kubelet's servers and kctl's port-forward client read it alike.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// The next frame as (channel, payload), skipping text, pings and empty messages; `None`
/// when the peer closes, the stream ends or fails.
pub async fn next_frame<S, E>(incoming: &mut S) -> Option<(u8, Bytes)>
where
    S: Stream<Item = Result<Message, E>> + Unpin,
{
    while let Some(Ok(message)) = incoming.next().await {
        let data = match message {
            Message::Binary(data) => data,
            Message::Close(_) => return None,
            _ => continue,
        };
        if let Some(&channel) = data.first() {
            return Some((channel, data.slice(1..)));
        }
    }
    None
}
