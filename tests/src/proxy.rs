//! A fault-injecting TCP proxy between the tills and the server: the faults are real network
//! faults (connections refused, answers cut off after the server committed, delays, requests
//! delivered twice, and late copies that reach the server after newer requests), not flags
//! inside the client under test.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the next connections. Counters are used up one connection each.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// Accept and close at once, like a cable pulled out.
    pub drop_connections: bool,
    /// Forward the request, then close as soon as the server starts answering: the server has
    /// done the work and the client never hears.
    pub cut_answers: u32,
    /// Hold every chunk this long in each direction.
    pub delay: Duration,
    /// Send the client's bytes to the server twice, on two connections.
    pub duplicate: u32,
    /// How far the second copy trails the first: a late copy of an old batch reaches the server
    /// after the till's newer batches, so the server sees the till's requests out of order.
    pub duplicate_lag: Duration,
    /// Accept, read what the client sends, and never answer: only the client's request timeout
    /// (or, past it, the sync watchdog) gets the till going again.
    pub hang: u32,
}

/// How many times each fault really happened, so that a test can show what it exercised.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fired {
    pub dropped: u32,
    pub cut: u32,
    pub delayed: u32,
    pub duplicated: u32,
    pub hung: u32,
}

#[derive(Clone)]
pub struct Proxy {
    pub address: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    fired: Arc<Mutex<Fired>>,
    upstream: SocketAddr,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let proxy = Proxy {
            address: listener.local_addr().expect("proxy address"),
            faults: Arc::default(),
            fired: Arc::default(),
            upstream,
        };
        let running = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(running.clone().serve(client));
            }
        });
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn set(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }

    pub fn update(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.faults.lock().unwrap());
    }

    pub fn faults(&self) -> Faults {
        self.faults.lock().unwrap().clone()
    }

    /// What has really happened so far.
    pub fn fired(&self) -> Fired {
        self.fired.lock().unwrap().clone()
    }

    fn count(&self, which: impl FnOnce(&mut Fired) -> &mut u32) {
        *which(&mut self.fired.lock().unwrap()) += 1;
    }

    /// A second connection to the server that replays what it is sent, each chunk `lag` after
    /// it was received, and throws the server's answers away.
    fn late_copy(&self, lag: Duration) -> tokio::sync::mpsc::UnboundedSender<(Instant, Vec<u8>)> {
        let (send, mut receive) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
        let upstream = self.upstream;
        tokio::spawn(async move {
            let Ok(twin) = TcpStream::connect(upstream).await else { return };
            let (mut answers, mut requests) = twin.into_split();
            tokio::spawn(async move {
                let mut sink = vec![0u8; 64 * 1024];
                while matches!(answers.read(&mut sink).await, Ok(read) if read > 0) {}
            });
            while let Some((received, chunk)) = receive.recv().await {
                tokio::time::sleep_until((received + lag).into()).await;
                if requests.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        });
        send
    }

    async fn serve(self, mut client: TcpStream) {
        let (drop_it, hang) = {
            let mut faults = self.faults.lock().unwrap();
            let hang = !faults.drop_connections && faults.hang > 0;
            if hang {
                faults.hang -= 1;
            }
            (faults.drop_connections, hang)
        };
        if drop_it {
            self.count(|fired| &mut fired.dropped);
            let _ = client.shutdown().await;
            return;
        }
        if hang {
            self.count(|fired| &mut fired.hung);
            // Read and throw away until the client gives up and closes.
            let mut sink = vec![0u8; 64 * 1024];
            while matches!(client.read(&mut sink).await, Ok(read) if read > 0) {}
            return;
        }
        // The server may be down (restarting): then no counted fault is used up.
        let Ok(upstream) = TcpStream::connect(self.upstream).await else { return };
        let (cut, delay, duplicate, lag) = {
            let mut faults = self.faults.lock().unwrap();
            let cut = faults.cut_answers > 0;
            faults.cut_answers = faults.cut_answers.saturating_sub(1);
            let duplicate = faults.duplicate > 0;
            faults.duplicate = faults.duplicate.saturating_sub(1);
            (cut, faults.delay, duplicate, faults.duplicate_lag)
        };
        if cut {
            self.count(|fired| &mut fired.cut);
        }
        if !delay.is_zero() {
            self.count(|fired| &mut fired.delayed);
        }
        if duplicate {
            self.count(|fired| &mut fired.duplicated);
        }
        let twin = if duplicate { Some(self.late_copy(lag)) } else { None };
        let (mut from_client, mut to_client) = client.split();
        let (mut from_server, mut to_server) = upstream.into_split();
        let forward = async {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let read = match from_client.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => read,
                };
                tokio::time::sleep(delay).await;
                if let Some(twin) = &twin {
                    let _ = twin.send((Instant::now(), buffer[..read].to_vec()));
                }
                if to_server.write_all(&buffer[..read]).await.is_err() {
                    break;
                }
            }
        };
        let back = async {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let read = match from_server.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => read,
                };
                if cut {
                    break; // the server has answered; the client never hears it
                }
                tokio::time::sleep(delay).await;
                if to_client.write_all(&buffer[..read]).await.is_err() {
                    break;
                }
            }
        };
        // Whichever side ends first ends the connection, as a real cut would.
        tokio::select! {
            () = forward => {}
            () = back => {}
        }
    }
}
