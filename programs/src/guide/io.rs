//! The guide's I/O programs: aiofiles over `simloop::fs`, aiohttp and asyncpg over
//! `simloop::net`.

use std::fmt;
use std::time::Duration;

use simloop::fs::{self, FsError};
use simloop::net::{self, Client, NetError, Request, Response};
use simloop::sim::{Latency, Rate, WorldConfig};
use simloop::sync::Semaphore;
use simloop::task::spawn_named;
use simloop::time::{now, sleep, sleep_until, Instant};
use simloop::{log, Config};

use super::Played;

// ------------------------------------------------------------------------------------------
// aiofiles

/// Every disk operation takes this long in the file program, so its timeline is exact.
pub const DISK_LATENCY: Duration = Duration::from_millis(4);

/// What `example.txt` holds.
pub const EXAMPLE_TXT: &str = "Hello from example.txt";

/// How the file program's read goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileCase {
    /// The read succeeds.
    Read,
    /// Every read fails with an injected I/O error.
    ReadError,
    /// The reading task is aborted halfway through the read.
    AbortMidRead,
}

/// The simulated disk of the file program: fixed latency, and read errors for `ReadError`.
pub fn file_world(case: FileCase) -> WorldConfig {
    let world = WorldConfig::default().with_disk_latency(Latency::Fixed(DISK_LATENCY));
    match case {
        FileCase::ReadError => world.with_read_errors(Rate::ALWAYS),
        FileCase::Read | FileCase::AbortMidRead => world,
    }
}

/// `async with aiofiles.open(path) as f: contents = await f.read(); print(contents)`.
///
/// The `File` is the context manager: it closes when it goes out of scope, on the error path
/// of `?` and when the task is aborted and its future dropped, as `__aexit__` always runs.
pub async fn read_file(path: &str) -> Result<String, FsError> {
    let mut f = fs::open(path).await?;
    let contents = f.read_to_string().await?;
    log!("{contents}");
    Ok(contents)
}

/// What the file program saw: the read's outcome and the handles still open at the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOutcome {
    /// The contents, or why there are none.
    pub read: Result<String, String>,
    /// `fs::open_handles()` at the end: 0 when every path closed its file.
    pub open_handles: usize,
}

/// Writes `example.txt`, then reads it with [`read_file`] as `case` says.
pub async fn async_file(case: FileCase) -> FileOutcome {
    fs::write("example.txt", EXAMPLE_TXT)
        .await
        .expect("writes never fail in this world");
    log!("wrote example.txt");
    let read = match case {
        FileCase::Read | FileCase::ReadError => {
            read_file("example.txt").await.map_err(|e| e.to_string())
        }
        FileCase::AbortMidRead => {
            let reader = spawn_named("reader", read_file("example.txt"));
            // The open takes one disk latency and the read another: stop halfway through it.
            sleep(DISK_LATENCY + DISK_LATENCY / 2).await;
            log!(
                "abort the reader mid-read; open handles: {}",
                fs::open_handles()
            );
            reader.abort();
            match reader.await {
                Ok(read) => read.map_err(|e| e.to_string()),
                Err(cancelled) => Err(format!("the reader {cancelled}")),
            }
        }
    };
    if let Err(error) = &read {
        log!("read_file failed: {error}");
    }
    let open_handles = fs::open_handles();
    log!("open handles: {open_handles}");
    FileOutcome { read, open_handles }
}

/// The `async_file` example: [`async_file`] in each [`FileCase`] under `config`.
pub fn play_async_file(config: &Config) -> Played {
    let mut played = Played::new();
    let cases = [
        (FileCase::Read, "the read succeeds"),
        (
            FileCase::ReadError,
            "an injected read error: the file is closed anyway",
        ),
        (
            FileCase::AbortMidRead,
            "the task is aborted mid-read: the file is closed anyway",
        ),
    ];
    for (case, heading) in cases {
        played.scene(Some(heading), config, file_world(case), async_file(case));
    }
    played
}

// ------------------------------------------------------------------------------------------
// aiohttp

/// The site the HTTP program fetches.
pub const SITE: &str = "www.example.com";

/// The page it serves.
pub const PAGE: &str = "<html><head><title>Example Domain</title></head></html>";

/// The HTTP program's network: one reply in five is an injected `503`.
pub fn http_world() -> WorldConfig {
    WorldConfig::default().with_errors(Rate::fixed(0.2))
}

/// Gives the link between `client` and [`SITE`] a one-way latency of 10 to 50 whole
/// milliseconds drawn from the seed, and returns it.
pub fn seeded_latency(client: &Client) -> Duration {
    let latency = Duration::from_millis(simloop::random::random_range(10..=50));
    net::set_latency(client.host(), SITE, Latency::Fixed(latency)).expect("both hosts exist");
    log!(
        "one-way latency between {} and {SITE}: {latency:?}",
        client.host()
    );
    latency
}

/// Starts the web server of [`SITE`].
pub fn serve_site() {
    net::serve(SITE, |_: Request| async { Response::ok(PAGE) }).expect("SITE has no server yet");
}

/// Why a fetch gave no page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The network failed (aiohttp's `ClientError`).
    Net(NetError),
    /// A status other than 2xx (aiohttp's `raise_for_status`).
    Status(u16),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Net(error) => write!(f, "{error}"),
            HttpError::Status(status) => write!(f, "HTTP {status}"),
        }
    }
}

impl From<NetError> for HttpError {
    fn from(error: NetError) -> HttpError {
        HttpError::Net(error)
    }
}

/// `async with session.get(url) as response: return await response.text()`.
pub async fn fetch(session: &Client, url: &str) -> Result<String, HttpError> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let response = session.get(host, format!("/{path}")).await?;
    if !response.is_success() {
        return Err(HttpError::Status(response.status));
    }
    Ok(response.text().unwrap_or_default().to_owned())
}

/// The guide's `fetch(session, url, semaphore)`: `async with semaphore:` around the request.
/// Prints what came back when it does, so the timeline shows the rounds.
pub async fn fetch_limited(
    session: Client,
    i: u32,
    semaphore: Semaphore,
) -> Result<String, HttpError> {
    let _permit = semaphore.acquire().await; // released when `_permit` drops
    let page = fetch(&session, "https://www.example.com").await;
    match &page {
        Ok(content) => log!("request {i}: fetched content of length {}", content.len()),
        Err(error) => log!("request {i}: {error}"),
    }
    page
}

/// What the HTTP program saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOutcome {
    /// The seed's one-way latency between the client and the site.
    pub latency: Duration,
    /// The first, single fetch.
    pub page: Result<String, HttpError>,
    /// The ten limited fetches, in argument order.
    pub results: Vec<Result<String, HttpError>>,
    /// The most requests inside the semaphore at once.
    pub peak: usize,
    /// How long the ten limited fetches took.
    pub limited_took: Duration,
}

/// `async with aiohttp.ClientSession() as session: print(await fetch(session, url))`, then the
/// guide's ten fetches limited to three at once by `Semaphore(3)`, gathered with
/// `return_exceptions=True` so an injected `503` does not hide the other results.
pub async fn http_fetch() -> HttpOutcome {
    serve_site();
    let session = Client::new("app");
    let latency = seeded_latency(&session);
    let page = fetch(&session, "https://www.example.com").await;
    match &page {
        Ok(html) => log!("{html}"),
        Err(error) => log!("fetch failed: {error}"),
    }
    let semaphore = Semaphore::new(3);
    let start = now();
    let requests = (0..10).map(|i| fetch_limited(session.clone(), i, semaphore.clone()));
    let results = simloop::task::gather_settled(requests).await;
    let limited_took = now() - start;
    let pages = results.iter().filter(|result| result.is_ok()).count();
    let peak = semaphore.peak_in_use();
    log!("{pages} of 10 pages fetched, at most {peak} requests in flight at once");
    HttpOutcome {
        latency,
        page,
        results,
        peak,
        limited_took,
    }
}

/// The HTTP invariants of every schedule: never more than 3 requests in flight, and the ten
/// take `ceil(10 / 3) = 4` rounds, injected errors included. A round is two round trips: each
/// request opens its TCP connection (the handshake), then sends and reads.
pub async fn check_http_fetch() {
    let outcome = http_fetch().await;
    assert!(outcome.peak <= 3, "{} requests in flight", outcome.peak);
    assert_eq!(outcome.results.len(), 10);
    assert_eq!(outcome.limited_took, outcome.latency * 4 * 4, "4 rounds");
}

/// The `http_fetch` example: [`http_fetch`] under `config`.
pub fn play_http_fetch(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, http_world(), http_fetch());
    played
}

// ------------------------------------------------------------------------------------------
// asyncpg

/// The rows of the `users` table.
pub const USERS: [(u32, &str); 3] = [(1, "alice"), (2, "bob"), (3, "carol")];

/// How long the database takes to run a query.
pub const QUERY_TIME: Duration = Duration::from_millis(5);

/// The database program's network: every message takes exactly 1 ms.
pub fn db_world() -> WorldConfig {
    WorldConfig::default().with_latency(Latency::Fixed(Duration::from_millis(1)))
}

/// A small database service on host `db`: it answers `SELECT * FROM users` with one
/// `id,name` row a line after [`QUERY_TIME`], and anything else with a `400`.
pub fn serve_db() {
    net::serve("db", |request: Request| async move {
        sleep(QUERY_TIME).await;
        match request.text() {
            Some("SELECT * FROM users") => {
                let rows: Vec<String> = USERS.iter().map(|(id, n)| format!("{id},{n}")).collect();
                Response::ok(rows.join("\n"))
            }
            _ => Response::new(400, "syntax error"),
        }
    })
    .expect("db is up and has no server yet");
}

/// One row, printed as asyncpg prints a `Record`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The `id` column.
    pub id: u32,
    /// The `name` column.
    pub name: String,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Record id={} name='{}'>", self.id, self.name)
    }
}

/// asyncpg's `fetch_users`: connect, `SELECT * FROM users`, close. The connection also closes
/// when an error returns early, since dropping it closes it.
pub async fn fetch_users(client: &Client) -> Result<Vec<Record>, NetError> {
    let conn = client.connect("db").await?;
    let rows = conn
        .request(Request::post("/query", "SELECT * FROM users"))
        .await?;
    conn.close();
    let text = rows.text().unwrap_or_default();
    Ok(text
        .lines()
        .filter_map(|line| {
            let (id, name) = line.split_once(',')?;
            Some(Record {
                id: id.parse().ok()?,
                name: name.to_owned(),
            })
        })
        .collect())
}

/// When the database crashes in the second round: during its query.
pub const CRASH_AT: Duration = Duration::from_millis(14);

/// Fetches the users; then the database crashes mid-query and the error reaches the caller;
/// then a retry against the restarted database succeeds. Returns the three outcomes.
pub async fn db_query() -> Vec<Result<Vec<Record>, NetError>> {
    serve_db();
    let client = Client::new("app").with_timeout(Duration::from_secs(1));
    let mut outcomes = Vec::new();
    for round in 0..3 {
        if round == 1 {
            let failover = spawn_named("failover", async {
                sleep_until(Instant::from_start(CRASH_AT)).await;
                net::crash("db").expect("db exists");
                log!("db crashes mid-query and restarts: the connection is dropped");
                net::restart("db").expect("db exists");
                serve_db();
            });
            failover.detach();
        }
        let users = fetch_users(&client).await;
        match &users {
            Ok(users) => users.iter().for_each(|user| log!("{user}")),
            Err(error) => log!("fetch_users failed: {error}"),
        }
        log!("open connections: {}", net::open_connections());
        outcomes.push(users);
    }
    outcomes
}

/// The `db_query` example: [`db_query`] under `config`.
pub fn play_db_query(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, db_world(), db_query());
    played
}
