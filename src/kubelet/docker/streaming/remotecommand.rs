//! exec and attach over WebSocket channels, on Docker's exec and attach: every binary
//! message starts with its channel — stdin 0, stdout 1, stderr 2, error 3 (one `Status`
//! when the command ends: Success, or NonZeroExitCode with the code as its `ExitCode`
//! cause), resize 4 (`{"Width":…,"Height":…}`) and, in v5, close 255 (the client's stdin
//! ends). The socket closes after the status.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use bollard::Docker;
use bytes::Bytes;
use futures::{SinkExt, Stream, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::super::runtime::docker_message;
use super::StreamOptions;

pub const STDIN: u8 = 0;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const ERROR: u8 = 3;
pub const RESIZE: u8 = 4;
pub const CLOSE: u8 = 255;

/// The channel protocols we speak, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    V5,
    V4,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::V5 => "v5.channel.k8s.io",
            Protocol::V4 => "v4.channel.k8s.io",
        }
    }

    /// The best protocol the client offers.
    pub fn choose(offered: &[String]) -> Option<Protocol> {
        [Protocol::V5, Protocol::V4].into_iter().find(|p| offered.iter().any(|o| o == p.name()))
    }
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;
type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type Input = Pin<Box<dyn AsyncWrite + Send>>;
type Sink = futures::stream::SplitSink<Socket, Message>;

/// The `Status` the error channel carries when a command ends.
pub fn exit_status(code: i64, command: &[String]) -> serde_json::Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!(
            "command terminated with non-zero exit code: error executing command [{}], exit code {code}",
            command.join(" ")
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

/// An internal error as upstream's `apierrors.NewInternalError` words it.
fn internal_error(message: &str) -> serde_json::Value {
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("Internal error occurred: {message}"),
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    })
}

fn framed(channel: u8, data: &[u8]) -> Message {
    let mut message = Vec::with_capacity(data.len() + 1);
    message.push(channel);
    message.extend_from_slice(data);
    Message::Binary(Bytes::from(message))
}

pub struct Session {
    pub docker: Docker,
    pub container: String,
    pub options: StreamOptions,
    pub protocol: Protocol,
}

/// Where the client's resize messages go.
enum Resize {
    Exec(String),
    Container(String),
}

impl Session {
    pub async fn exec(self, socket: Socket) {
        let options = &self.options;
        let created = self
            .docker
            .create_exec(
                &self.container,
                CreateExecOptions {
                    attach_stdin: Some(options.stdin),
                    attach_stdout: Some(options.stdout),
                    attach_stderr: Some(options.stderr),
                    tty: Some(options.tty),
                    cmd: Some(options.command.clone()),
                    ..Default::default()
                },
            )
            .await;
        let started = match created {
            Ok(created) => {
                let start = StartExecOptions { detach: false, tty: options.tty, output_capacity: None };
                self.docker.start_exec(&created.id, Some(start)).await.map(|started| (created.id, started))
            }
            Err(err) => Err(err),
        };
        let (exec, output, input) = match started {
            Ok((id, StartExecResults::Attached { output, input })) => (id, output, input),
            Ok((_, StartExecResults::Detached)) => {
                return finish(socket.split().0, internal_error("exec detached")).await
            }
            Err(err) => {
                let message = format!("error executing command in container: {}", docker_message(&err));
                return finish(socket.split().0, internal_error(&message)).await;
            }
        };
        let Some(sink) = self.pump(socket, output, input, Resize::Exec(exec.clone())).await else { return };
        let status = match self.docker.inspect_exec(&exec).await {
            Ok(inspect) => exit_status(inspect.exit_code.unwrap_or(0), &options.command),
            Err(err) => internal_error(&docker_message(&err)),
        };
        finish(sink, status).await
    }

    pub async fn attach(self, socket: Socket) {
        let options = bollard::query_parameters::AttachContainerOptions {
            stdin: self.options.stdin,
            stdout: self.options.stdout,
            stderr: self.options.stderr,
            stream: true,
            logs: false,
            ..Default::default()
        };
        let attached = match self.docker.attach_container(&self.container, Some(options)).await {
            Ok(attached) => attached,
            Err(err) => return finish(socket.split().0, internal_error(&docker_message(&err))).await,
        };
        let resize = Resize::Container(self.container.clone());
        if let Some(sink) = self.pump(socket, attached.output, attached.input, resize).await {
            finish(sink, json!({"metadata": {}, "status": "Success"})).await
        }
    }

    /// Copies the engine's output to the client and the client's stdin (and resizes) to
    /// the engine until the output ends; the socket, unless the client went away.
    async fn pump(&self, socket: Socket, mut output: Output, input: Input, resize: Resize) -> Option<Sink> {
        let (mut sink, mut incoming) = socket.split();
        let docker = self.docker.clone();
        let close_signal = self.protocol == Protocol::V5;
        let reading = tokio::spawn(async move {
            let mut input = Some(input);
            while let Some((channel, payload)) = crate::machinery::ws_channels::next_frame(&mut incoming).await {
                match channel {
                    STDIN => {
                        if let Some(writer) = input.as_mut() {
                            if writer.write_all(&payload).await.is_err() {
                                input = None;
                            }
                        }
                    }
                    RESIZE => {
                        let Ok(size) = serde_json::from_slice::<serde_json::Value>(&payload) else { continue };
                        let width = size["Width"].as_u64().unwrap_or(0) as u16;
                        let height = size["Height"].as_u64().unwrap_or(0) as u16;
                        if width == 0 || height == 0 {
                            continue;
                        }
                        let _ = match &resize {
                            Resize::Exec(id) => docker.resize_exec(id, ResizeExecOptions { width, height }).await,
                            Resize::Container(id) => {
                                let options = bollard::query_parameters::ResizeContainerTTYOptions {
                                    w: width as i32,
                                    h: height as i32,
                                };
                                docker.resize_container_tty(id, options).await
                            }
                        };
                    }
                    CLOSE if close_signal && payload.first() == Some(&STDIN) => {
                        if let Some(mut writer) = input.take() {
                            let _ = writer.shutdown().await;
                        }
                    }
                    _ => {}
                }
            }
            // The client is gone (or closed the socket): the engine's stdin ends with it.
            if let Some(mut writer) = input.take() {
                let _ = writer.shutdown().await;
            }
        });
        let mut client_gone = false;
        while let Some(frame) = output.next().await {
            let message = match frame {
                Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => framed(STDOUT, &message),
                Ok(LogOutput::StdErr { message }) => framed(STDERR, &message),
                Ok(LogOutput::StdIn { .. }) => continue,
                Err(err) => {
                    tracing::debug!(%err, "engine stream ended");
                    break;
                }
            };
            if sink.send(message).await.is_err() {
                client_gone = true;
                break;
            }
        }
        // What the client still sends has no process to go to.
        reading.abort();
        (!client_gone).then_some(sink)
    }
}

/// Sends the status on the error channel and closes the socket.
async fn finish(mut sink: Sink, status: serde_json::Value) {
    let status = serde_json::to_vec(&status).unwrap_or_default();
    let _ = sink.send(framed(ERROR, &status)).await;
    let _ = sink.send(super::normal_close()).await;
    let _ = sink.close().await;
}
