//! A real server on a loopback port over a fresh database, and people with passkeys.

use alcove_client::{Account, Client};
use alcove_server::{issue_setup_link, serve, system_clock, AppState, Config};
use alcove_store::Store;
use alcove_testkit::SoftAuthenticator;
use alcove_types::Role;
use tokio::sync::oneshot;

pub struct Practice {
    pub origin: String,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    pg: Option<(String, String)>,
    url: String,
    admin: Option<Person>,
}

/// Another server node of the same practice (same database, same site).
pub struct Node {
    /// Where it listens (`http://127.0.0.1:port`); reach it with `Account::through`.
    pub address: String,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
}

impl Node {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.state.store.close().await;
    }
}

pub struct Person {
    pub account: Account,
    pub passkey: SoftAuthenticator,
}

impl Practice {
    pub async fn sqlite() -> Practice {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("alcove.db").display());
        let store = Store::open(&url).await.expect("open store");
        Self::start(store, url, dir, None).await
    }

    /// `None` (after saying so) without `ALCOVE_TEST_POSTGRES_URL`.
    pub async fn postgres(test: &str) -> Option<Practice> {
        let Ok(admin_url) = std::env::var("ALCOVE_TEST_POSTGRES_URL") else {
            eprintln!("skipped {test} on PostgreSQL: ALCOVE_TEST_POSTGRES_URL is not set");
            return None;
        };
        let name = format!("alcove_client_{:016x}", rand::random::<u64>());
        let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create db");
        admin.close().await;
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b.to_owned(), format!("?{q}")),
            None => (admin_url.clone(), String::new()),
        };
        let (server, _) = base.rsplit_once('/').expect("URL has a path");
        let url = format!("{server}/{name}{query}");
        let store = Store::open(&url).await.expect("open");
        let dir = tempfile::tempdir().expect("tempdir");
        Some(Self::start(store, url, dir, Some((admin_url, name))).await)
    }

    async fn start(
        store: Store,
        url: String,
        dir: tempfile::TempDir,
        pg: Option<(String, String)>,
    ) -> Practice {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let origin = format!("http://localhost:{}", addr.port());
        let config = Config {
            listen: addr,
            data_dir: dir.path().to_path_buf(),
            public_url: Some(origin.clone()),
            auth_rate_per_minute: 10_000,
            ..Config::default()
        };
        let state = AppState::new(config, store, system_clock()).expect("state");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Practice {
            origin,
            state,
            dir,
            stop: Some(stop),
            pg,
            url,
            admin: None,
        }
    }

    /// A second server node on the same database and data directory (its audit log key),
    /// serving the same site on another port, as behind a load balancer.
    pub async fn second_node(&self) -> Node {
        let store = Store::open(&self.url).await.expect("open the store again");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let config = Config {
            listen: addr,
            data_dir: self.dir.path().to_path_buf(),
            public_url: Some(self.origin.clone()),
            auth_rate_per_minute: 10_000,
            ..Config::default()
        };
        let state = AppState::new(config, store, system_clock()).expect("state");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Node {
            address: format!("http://{addr}"),
            state,
            stop: Some(stop),
        }
    }

    pub async fn cleanup(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.state.store.close().await;
        if let Some((admin_url, name)) = self.pg.take() {
            if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&pool)
                    .await;
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    async fn admin(&mut self) -> &mut Person {
        if self.admin.is_none() {
            let link = issue_setup_link(&self.state)
                .await
                .expect("issue")
                .expect("no admin yet");
            let token = link.rsplit_once('#').expect("fragment").1;
            let mut passkey = SoftAuthenticator::new(&self.origin);
            let account = Account::redeem(
                &self.origin,
                token,
                "Avery Admin",
                "green lantern",
                &mut passkey,
            )
            .await
            .expect("admin redeems setup link");
            self.admin = Some(Person { account, passkey });
        }
        self.admin.as_mut().expect("admin")
    }

    /// A new clinician, invited by the admin.
    pub async fn clinician(&mut self, name: &str) -> Person {
        let origin = self.origin.clone();
        let admin = self.admin().await;
        admin
            .account
            .reauth(&mut admin.passkey)
            .await
            .expect("reauth");
        let token = admin.account.invite(Role::Clinician).await.expect("invite");
        redeem(&origin, &token, name).await
    }

    /// A new client of `clinician`.
    pub async fn client_of(&self, clinician: &mut Person, name: &str) -> Person {
        clinician
            .account
            .reauth(&mut clinician.passkey)
            .await
            .expect("reauth");
        let token = clinician
            .account
            .invite(Role::Client)
            .await
            .expect("invite");
        let mut client = redeem(&self.origin, &token, name).await;
        client
            .account
            .accept_consent(&mut client.passkey)
            .await
            .expect("the client accepts the consent document");
        client
    }

    /// A new client of `clinician` who has not gone through informed consent yet.
    pub async fn client_without_consent(&self, clinician: &mut Person, name: &str) -> Person {
        clinician
            .account
            .reauth(&mut clinician.passkey)
            .await
            .expect("reauth");
        let token = clinician
            .account
            .invite(Role::Client)
            .await
            .expect("invite");
        redeem(&self.origin, &token, name).await
    }

    /// A clinician and a client, each with one registered device, and the conversation the
    /// clinician started (which the client has joined).
    pub async fn pair(&mut self) -> (Client, Client, alcove_types::ConversationId) {
        let mut clinician = self.clinician("Dr Casey").await;
        let client = self.client_of(&mut clinician, "Robin").await;
        let mut a = Client::register(clinician.account, "Clinic laptop")
            .await
            .expect("register clinician device");
        let mut b = Client::register(client.account, "Phone")
            .await
            .expect("register client device");
        let conversation = a
            .start_conversation(&b.account().user_id)
            .await
            .expect("start conversation");
        let events = b.sync().await.expect("client syncs");
        assert!(
            events.contains(&alcove_client::Event::Joined {
                conversation: conversation.clone()
            }),
            "{events:?}"
        );
        (a, b, conversation)
    }
}

pub async fn redeem(origin: &str, token: &str, name: &str) -> Person {
    let mut passkey = SoftAuthenticator::new(origin);
    let account = Account::redeem(origin, token, name, "blue harbour", &mut passkey)
        .await
        .expect("redeem invitation");
    Person { account, passkey }
}

/// The texts of the message events, in order.
pub fn texts(events: &[alcove_client::Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            alcove_client::Event::Message { payload, .. } => match &payload.kind {
                alcove_crypto::PayloadKind::Text(t) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Runs `test` on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let practice = Practice::sqlite().await;
                $body(practice).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(practice) = Practice::postgres(stringify!($name)).await {
                    $body(practice).await;
                }
            }
        }
    };
}
