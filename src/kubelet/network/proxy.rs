//! The node's service proxy (kube-proxy's job, in userspace): one socket per frontend of
//! the [`table`](super::table), bound to the ClusterIP:port itself (the node's `local`
//! route for the service range makes every ClusterIP an address of the node) or to
//! 0.0.0.0:nodePort. TCP connections are spliced to a ready endpoint picked round robin
//! (or by client IP with `sessionAffinity: ClientIP`); UDP datagrams are relayed per
//! client. A frontend that loses its last endpoint, or its Service, closes its socket, so
//! new connections are refused at once; spliced connections run on.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;

use super::table::{Backends, Frontend, Protocol};

/// How long a backend gets to accept a connection before the next one is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a UDP client's flow lives without traffic (conntrack's UDP timeout).
const UDP_IDLE: Duration = Duration::from_secs(30);

/// A frontend's current endpoints and its choice among them.
#[derive(Default)]
struct Balancer {
    backends: RwLock<Backends>,
    next: AtomicUsize,
    /// ClientIP affinity: client → (endpoint, last used).
    sticky: Mutex<HashMap<IpAddr, (SocketAddr, Instant)>>,
}

impl Balancer {
    /// The endpoints to try for `client`, the chosen one first.
    fn pick(&self, client: IpAddr) -> Vec<SocketAddr> {
        let backends = self.backends.read();
        let endpoints = &backends.endpoints;
        if endpoints.is_empty() {
            return Vec::new();
        }
        let mut start = self.next.fetch_add(1, Ordering::Relaxed) % endpoints.len();
        if let Some(timeout) = backends.affinity {
            let mut sticky = self.sticky.lock();
            let now = Instant::now();
            sticky.retain(|_, (_, used)| now.duration_since(*used) < timeout);
            let kept = sticky.get(&client).and_then(|(addr, _)| endpoints.iter().position(|e| e == addr));
            start = kept.unwrap_or(start);
            sticky.insert(client, (endpoints[start], now));
        }
        endpoints[start..].iter().chain(&endpoints[..start]).copied().collect()
    }
}

struct Listener {
    balancer: Arc<Balancer>,
    task: JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Dropping the task drops the socket: the port closes.
        self.task.abort();
    }
}

/// The frontends being served.
#[derive(Default)]
pub struct Proxy {
    listeners: HashMap<Frontend, Listener>,
}

impl Proxy {
    /// Serves exactly `table`: new frontends are bound, gone ones closed, the others get
    /// their new endpoints. A frontend that cannot be bound is tried again next time.
    pub async fn apply(&mut self, table: HashMap<Frontend, Backends>) {
        self.listeners.retain(|frontend, _| table.contains_key(frontend));
        for (frontend, backends) in table {
            if let Some(listener) = self.listeners.get(&frontend) {
                if *listener.balancer.backends.read() != backends {
                    *listener.balancer.backends.write() = backends;
                }
                continue;
            }
            let balancer = Arc::new(Balancer { backends: RwLock::new(backends), ..Default::default() });
            let task = match frontend.protocol {
                Protocol::Tcp => match bind_tcp(frontend.addr) {
                    Ok(socket) => tokio::spawn(serve_tcp(socket, balancer.clone())),
                    Err(err) => {
                        tracing::warn!(%err, addr = %frontend.addr, "service proxy: cannot listen");
                        continue;
                    }
                },
                Protocol::Udp => match UdpSocket::bind(frontend.addr).await {
                    Ok(socket) => tokio::spawn(serve_udp(Arc::new(socket), balancer.clone())),
                    Err(err) => {
                        tracing::warn!(%err, addr = %frontend.addr, "service proxy: cannot bind UDP");
                        continue;
                    }
                },
            };
            self.listeners.insert(frontend, Listener { balancer, task });
        }
    }
}

/// A listening socket that can be bound again at once after a close (SO_REUSEADDR), so
/// a Service whose endpoints come back is served without waiting out TIME_WAIT.
fn bind_tcp(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

async fn serve_tcp(listener: TcpListener, balancer: Arc<Balancer>) {
    loop {
        let (client, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::debug!(%err, "service proxy: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let candidates = balancer.pick(peer.ip());
        tokio::spawn(splice(client, candidates));
    }
}

/// Connects to the first endpoint that answers and copies both ways until both close.
async fn splice(mut client: TcpStream, candidates: Vec<SocketAddr>) {
    let _ = client.set_nodelay(true);
    for endpoint in candidates {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(endpoint)).await {
            Ok(Ok(mut upstream)) => {
                let _ = upstream.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                return;
            }
            Ok(Err(err)) => tracing::debug!(%err, %endpoint, "service proxy: endpoint refused"),
            Err(_) => tracing::debug!(%endpoint, "service proxy: endpoint did not answer"),
        }
    }
    // No endpoint answered: reset the client rather than close politely.
    let _ = client.set_zero_linger();
}

/// Relays each client's datagrams through a socket of its own to one endpoint, and the
/// endpoint's answers back from the frontend's address.
async fn serve_udp(frontend: Arc<UdpSocket>, balancer: Arc<Balancer>) {
    let flows: Arc<Mutex<HashMap<SocketAddr, Arc<UdpSocket>>>> = Default::default();
    let mut buffer = vec![0u8; 65536];
    loop {
        let (length, client) = match frontend.recv_from(&mut buffer).await {
            Ok(received) => received,
            Err(err) => {
                tracing::debug!(%err, "service proxy: UDP receive failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let existing = flows.lock().get(&client).cloned();
        let flow = match existing {
            Some(flow) => flow,
            None => {
                let Some(endpoint) = balancer.pick(client.ip()).into_iter().next() else { continue };
                let Ok(socket) = UdpSocket::bind((std::net::Ipv4Addr::UNSPECIFIED, 0)).await else { continue };
                if socket.connect(endpoint).await.is_err() {
                    continue;
                }
                let socket = Arc::new(socket);
                flows.lock().insert(client, socket.clone());
                tokio::spawn(answer_udp(frontend.clone(), socket.clone(), client, flows.clone()));
                socket
            }
        };
        let _ = flow.send(&buffer[..length]).await;
    }
}

async fn answer_udp(
    frontend: Arc<UdpSocket>,
    flow: Arc<UdpSocket>,
    client: SocketAddr,
    flows: Arc<Mutex<HashMap<SocketAddr, Arc<UdpSocket>>>>,
) {
    let mut buffer = vec![0u8; 65536];
    while let Ok(Ok(length)) = tokio::time::timeout(UDP_IDLE, flow.recv(&mut buffer)).await {
        let _ = frontend.send_to(&buffer[..length], client).await;
    }
    flows.lock().remove(&client);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balancer(endpoints: &[&str], affinity: Option<Duration>) -> Balancer {
        let endpoints = endpoints.iter().map(|e| e.parse().unwrap()).collect();
        Balancer { backends: RwLock::new(Backends { endpoints, affinity }), ..Default::default() }
    }

    #[test]
    fn round_robin_spreads_and_affinity_sticks() {
        let spread = balancer(&["10.0.0.1:80", "10.0.0.2:80"], None);
        let client: IpAddr = "10.1.0.1".parse().unwrap();
        let firsts: Vec<SocketAddr> = (0..4).map(|_| spread.pick(client)[0]).collect();
        assert_ne!(firsts[0], firsts[1]);
        assert_eq!(firsts[0], firsts[2]);
        let sticky = balancer(&["10.0.0.1:80", "10.0.0.2:80"], Some(Duration::from_secs(60)));
        let first = sticky.pick(client)[0];
        assert!((0..4).all(|_| sticky.pick(client)[0] == first));
        assert_eq!(sticky.pick(client).len(), 2, "the others stay as fallbacks");
    }

    #[tokio::test]
    async fn a_frontend_splices_to_its_endpoint_and_closes_when_removed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let backend = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = backend.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = backend.accept().await {
                let _ = stream.write_all(b"hello").await;
            }
        });
        let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let frontend = Frontend { protocol: Protocol::Tcp, addr: port };
        let mut proxy = Proxy::default();
        let backends = Backends { endpoints: vec![endpoint], affinity: None };
        proxy.apply(HashMap::from([(frontend, backends)])).await;
        let mut answer = String::new();
        TcpStream::connect(port).await.unwrap().read_to_string(&mut answer).await.unwrap();
        assert_eq!(answer, "hello");
        proxy.apply(HashMap::new()).await;
        tokio::task::yield_now().await;
        let refused = async {
            for _ in 0..100 {
                if TcpStream::connect(port).await.is_err() {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            false
        };
        assert!(refused.await, "a removed frontend refuses connections");
    }

    #[tokio::test]
    async fn a_udp_frontend_relays_each_clients_datagrams_and_answers() {
        let backend = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let endpoint = backend.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buffer = [0u8; 64];
            while let Ok((length, from)) = backend.recv_from(&mut buffer).await {
                let _ = backend.send_to(&[b"echo ", &buffer[..length]].concat(), from).await;
            }
        });
        let port = UdpSocket::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let mut proxy = Proxy::default();
        let frontend = Frontend { protocol: Protocol::Udp, addr: port };
        proxy.apply(HashMap::from([(frontend, Backends { endpoints: vec![endpoint], affinity: None })])).await;
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        client.connect(port).await.unwrap();
        let mut buffer = [0u8; 64];
        for word in ["one", "two"] {
            client.send(word.as_bytes()).await.unwrap();
            let length = tokio::time::timeout(Duration::from_secs(5), client.recv(&mut buffer)).await.unwrap().unwrap();
            assert_eq!(&buffer[..length], format!("echo {word}").as_bytes(), "the answer comes from the frontend");
        }
    }
}
