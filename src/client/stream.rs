//! Streaming subresources from the client's side, as any cluster serves them: a WebSocket
//! upgrade of `pods/NAME/{exec,attach,portforward}` through the session's connection,
//! and the remote-command channels (stdin 0, stdout 1, stderr 2, error 3, resize 4, v5's
//! close 255) copied to and from local streams until the error channel's `Status`.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::{ClientError, Session};

pub type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// The remote-command protocols, best first (what kubectl 1.32 offers).
pub const REMOTE_COMMAND: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
/// The WebSocket port-forward protocol (channels 2i data, 2i+1 error per port).
pub const PORT_FORWARD: [&str; 1] = ["v4.channel.k8s.io"];

impl Session {
    /// Upgrades `GET path_and_query` to a WebSocket speaking one of `protocols`; the socket
    /// and the protocol the server chose. A refusal reads as kubectl words it: the
    /// server's `Status`, or "unable to upgrade connection: …" with its text.
    pub async fn upgrade(&self, path_and_query: &str, protocols: &[&str]) -> Result<(Socket, String), ClientError> {
        let key = tokio_tungstenite::tungstenite::handshake::client::generate_key();
        let request = http::Request::get(path_and_query)
            .header(http::header::CONNECTION, "Upgrade")
            .header(http::header::UPGRADE, "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", &key)
            .header("sec-websocket-protocol", protocols.join(","))
            .header(http::header::USER_AGENT, super::USER_AGENT)
            .body(kube::client::Body::empty())
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let mut response = self.client.send(request).await.map_err(|e| self.transport(&e))?;
        if response.status() != http::StatusCode::SWITCHING_PROTOCOLS {
            let code = response.status().as_u16();
            let body = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            if serde_json::from_slice::<Value>(&body).is_ok_and(|v| v["kind"] == "Status") {
                return Err(ClientError::from_response(code, &body));
            }
            let text = String::from_utf8_lossy(&body).trim().to_string();
            return Err(ClientError::Transport(format!("unable to upgrade connection: {text}")));
        }
        let protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let expected = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let accepted = response.headers().get("sec-websocket-accept").and_then(|v| v.to_str().ok());
        if accepted != Some(expected.as_str()) {
            return Err(ClientError::Transport("unable to upgrade connection: bad Sec-WebSocket-Accept".into()));
        }
        let upgraded = hyper::upgrade::on(&mut response).await.map_err(|e| ClientError::Transport(e.to_string()))?;
        let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, None).await;
        Ok((socket, protocol))
    }
}

/// How a remote command ended, from the error channel's `Status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    Success,
    /// NonZeroExitCode: the command's exit code.
    Exit(i32),
    /// Any other failure: its message.
    Failure(String),
}

pub fn ended(status: &[u8]) -> Ended {
    let Ok(status) = serde_json::from_slice::<Value>(status) else {
        return match status.is_empty() {
            true => Ended::Success,
            false => Ended::Failure(String::from_utf8_lossy(status).into_owned()),
        };
    };
    if status["status"] == "Success" {
        return Ended::Success;
    }
    if status["reason"] == "NonZeroExitCode" {
        let causes = status.pointer("/details/causes").and_then(Value::as_array).cloned().unwrap_or_default();
        let code = causes
            .iter()
            .find(|c| c["reason"] == "ExitCode")
            .and_then(|c| c["message"].as_str())
            .and_then(|m| m.parse().ok());
        if let Some(code) = code {
            return Ended::Exit(code);
        }
    }
    Ended::Failure(status["message"].as_str().unwrap_or_default().to_string())
}

/// The local ends of a remote command.
pub struct Streams<I, O, E> {
    pub stdin: Option<I>,
    pub stdout: O,
    pub stderr: Option<E>,
    /// Terminal sizes (width, height) to send on the resize channel.
    pub resize: Option<mpsc::Receiver<(u16, u16)>>,
}

/// Copies the channels until the server closes; how the command ended.
pub async fn remote_command<I, O, E>(
    socket: Socket,
    protocol: &str,
    streams: Streams<I, O, E>,
) -> Result<Ended, ClientError>
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin,
    E: AsyncWrite + Unpin,
{
    let (mut sink, mut incoming) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(16);
    let close_signal = protocol.starts_with("v5.");
    if let Some(mut stdin) = streams.stdin {
        let out = out_tx.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 32 * 1024];
            loop {
                match stdin.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut message = Vec::with_capacity(n + 1);
                        message.push(0);
                        message.extend_from_slice(&buffer[..n]);
                        if out.send(Message::Binary(Bytes::from(message))).await.is_err() {
                            return;
                        }
                    }
                }
            }
            if close_signal {
                let _ = out.send(Message::Binary(Bytes::from_static(&[255, 0]))).await;
            }
        });
    }
    if let Some(mut sizes) = streams.resize {
        let out = out_tx.clone();
        tokio::spawn(async move {
            while let Some((width, height)) = sizes.recv().await {
                let mut message = vec![4];
                message.extend(serde_json::json!({"Width": width, "Height": height}).to_string().into_bytes());
                if out.send(Message::Binary(Bytes::from(message))).await.is_err() {
                    return;
                }
            }
        });
    }
    drop(out_tx);
    tokio::spawn(async move {
        while let Some(message) = out_rx.recv().await {
            if sink.send(message).await.is_err() {
                return;
            }
        }
    });
    let (mut stdout, mut stderr) = (streams.stdout, streams.stderr);
    let mut status = Vec::new();
    while let Some(message) = incoming.next().await {
        let data = match message {
            Ok(Message::Binary(data)) => data,
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(err) => {
                return Err(ClientError::Transport(format!("error reading from error stream: next reader: {err}")))
            }
        };
        let Some((&channel, payload)) = data.split_first() else { continue };
        match channel {
            1 => {
                stdout.write_all(payload).await.map_err(|e| ClientError::Transport(e.to_string()))?;
                let _ = stdout.flush().await;
            }
            2 => {
                if let Some(stderr) = stderr.as_mut() {
                    stderr.write_all(payload).await.map_err(|e| ClientError::Transport(e.to_string()))?;
                    let _ = stderr.flush().await;
                }
            }
            3 => status.extend_from_slice(payload),
            _ => {}
        }
    }
    Ok(ended(&status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_says_how_the_command_ended() {
        assert_eq!(ended(br#"{"metadata":{},"status":"Success"}"#), Ended::Success);
        let exit = br#"{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#;
        assert_eq!(ended(exit), Ended::Exit(3));
        assert_eq!(ended(br#"{"status":"Failure","message":"boom"}"#), Ended::Failure("boom".into()));
        assert_eq!(ended(b""), Ended::Success);
    }
}
