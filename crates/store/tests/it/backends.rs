//! Opens a fresh store per test on each backend.

use alcove_store::Store;
use rand::Rng;
use sqlx::Executor;

/// A store on a fresh database, and what to clean up afterwards.
pub struct TestStore {
    pub store: Store,
    /// The database URL (for raw SQL in tamper tests).
    pub url: String,
    _dir: Option<TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestStore {
    pub async fn drop_database(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.pg_admin {
            if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                let _ = pool
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
            }
        }
    }
}

/// A temporary directory removed on drop (kept small to avoid another dependency).
pub struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn sqlite() -> TestStore {
    let suffix: u64 = rand::thread_rng().gen();
    let dir = std::env::temp_dir().join(format!("alcove-store-test-{suffix:016x}"));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let url = format!("sqlite://{}", dir.join("alcove.db").display());
    let store = Store::open(&url).await.expect("open sqlite store");
    TestStore {
        store,
        url,
        _dir: Some(TempDir(dir)),
        pg_admin: None,
    }
}

/// `None` (after saying so) when no PostgreSQL is configured.
pub async fn postgres(test: &str) -> Option<TestStore> {
    let Ok(admin_url) = std::env::var("ALCOVE_TEST_POSTGRES_URL") else {
        eprintln!("skipped {test} on PostgreSQL: ALCOVE_TEST_POSTGRES_URL is not set");
        return None;
    };
    let suffix: u64 = rand::thread_rng().gen();
    let name = format!("alcove_test_{suffix:016x}");
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect to ALCOVE_TEST_POSTGRES_URL");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url.as_str(), String::new()),
    };
    let (server, _) = base.rsplit_once('/').expect("database URL has a path");
    let url = format!("{server}/{name}{query}");
    let store = Store::open(&url).await.expect("open postgres store");
    Some(TestStore {
        store,
        url,
        _dir: None,
        pg_admin: Some((admin_url, name)),
    })
}

/// Defines one test per backend that runs `$body(store)`.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let t = $crate::backends::sqlite().await;
                    super::$name(&t.store).await;
                    t.drop_database().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(t) = $crate::backends::postgres(stringify!($name)).await else { return };
                    super::$name(&t.store).await;
                    t.drop_database().await;
                }
            )*
        }
    };
}

/// Like `conformance!`, but each test also gets the database URL: `$body(store, url)`.
#[macro_export]
macro_rules! conformance_with_url {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let t = $crate::backends::sqlite().await;
                    super::$name(&t.store, &t.url).await;
                    t.drop_database().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(t) = $crate::backends::postgres(stringify!($name)).await else { return };
                    super::$name(&t.store, &t.url).await;
                    t.drop_database().await;
                }
            )*
        }
    };
}
