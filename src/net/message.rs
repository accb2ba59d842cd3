//! What travels on the simulated network: [`Request`], [`Response`], and [`NetError`].

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

/// An HTTP-style method.
///
/// # Examples
///
/// ```
/// use simloop::net::Method;
///
/// assert_eq!(Method::Get.to_string(), "GET");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name in capitals.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Method::Delete.as_str(), "DELETE");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request: method, path and body. The network fills in who sent it.
///
/// # Examples
///
/// ```
/// use simloop::net::{Method, Request};
///
/// let request = Request::post("/query", "SELECT 1");
/// assert_eq!(request.method, Method::Post);
/// assert_eq!(request.path, "/query");
/// assert_eq!(request.text(), Some("SELECT 1"));
/// assert_eq!(request.from(), None); // set when a server receives it
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path, such as `/users/7`; a `&'static str` path costs no allocation.
    pub path: Cow<'static, str>,
    /// The body.
    pub body: Vec<u8>,
    pub(crate) from: Option<Rc<str>>,
    pub(crate) connection: Option<u64>,
}

impl Request {
    /// A request with an empty body.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{Method, Request};
    ///
    /// assert!(Request::new(Method::Delete, "/users/7").body.is_empty());
    /// ```
    pub fn new(method: Method, path: impl Into<Cow<'static, str>>) -> Request {
        Request {
            method,
            path: path.into(),
            body: Vec::new(),
            from: None,
            connection: None,
        }
    }

    /// A `GET` of `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Request::get("/").path, "/");
    /// ```
    pub fn get(path: impl Into<Cow<'static, str>>) -> Request {
        Request::new(Method::Get, path)
    }

    /// A `POST` of `body` to `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Request::post("/", vec![1, 2]).body, [1, 2]);
    /// ```
    pub fn post(path: impl Into<Cow<'static, str>>, body: impl Into<Vec<u8>>) -> Request {
        Request::new(Method::Post, path).with_body(body)
    }

    /// This request with `body`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{Method, Request};
    ///
    /// let put = Request::new(Method::Put, "/k").with_body("v");
    /// assert_eq!(put.body, b"v");
    /// ```
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// The body as text, if it is UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Request::post("/", vec![0xff]).text(), None);
    /// ```
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The host that sent the request, as the server sees it.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("echo", |request: Request| async move {
    ///         Response::ok(request.from().unwrap_or("?").to_owned())
    ///     })
    ///     .unwrap();
    ///     let reply = Client::new("app").get("echo", "/").await.unwrap();
    ///     assert_eq!(reply.text(), Some("app"));
    /// });
    /// ```
    pub fn from(&self) -> Option<&str> {
        self.from.as_deref()
    }

    /// The id of the [`Connection`](crate::net::Connection) the request came on, if any; lets
    /// a server keep per-connection state such as a database session.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Request::get("/").connection(), None);
    /// ```
    pub fn connection(&self) -> Option<u64> {
        self.connection
    }
}

/// A reply: a status code and a body.
///
/// # Examples
///
/// ```
/// use simloop::net::Response;
///
/// let ok = Response::ok("hello");
/// assert_eq!(ok.status, 200);
/// assert!(ok.is_success());
/// assert_eq!(ok.text(), Some("hello"));
/// assert!(!Response::not_found().is_success());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code, as in HTTP.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The status of a reply the network injected in place of the server's
    /// ([`WorldConfig::errors`](crate::sim::WorldConfig::errors)): 503 Service Unavailable.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    /// use simloop::sim::{Rate, WorldConfig};
    /// use simloop::{Config, Sim};
    ///
    /// let world = WorldConfig::default().with_errors(Rate::ALWAYS);
    /// let status = Sim::new(Config::default().with_world(world)).run(async {
    ///     net::serve("api", |_: Request| async { Response::ok("never reached") }).unwrap();
    ///     Client::new("app").get("api", "/").await.unwrap().status
    /// });
    /// assert_eq!(status.unwrap(), Response::INJECTED_ERROR);
    /// ```
    pub const INJECTED_ERROR: u16 = 503;

    /// A reply with `status` and `body`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Response::new(201, "made").status, 201);
    /// ```
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            body: body.into(),
        }
    }

    /// `200 OK` with `body`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Response::ok(vec![7]).body, [7]);
    /// ```
    pub fn ok(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, body)
    }

    /// `404 Not Found` with an empty body.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Response::not_found().status, 404);
    /// ```
    pub fn not_found() -> Response {
        Response::new(404, Vec::new())
    }

    /// Whether the status is 2xx.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(simloop::net::Response::new(204, "").is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, if it is UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::net::Response::ok("hi").text(), Some("hi"));
    /// ```
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

/// Why a network operation gave no [`Response`].
///
/// # Examples
///
/// ```
/// use simloop::net::{Client, NetError};
///
/// simloop::run(0, async {
///     let err = Client::new("app").get("nowhere", "/").await.unwrap_err();
///     assert_eq!(err, NetError::UnknownHost { host: "nowhere".into() });
///     assert_eq!(err.to_string(), "unknown host `nowhere`");
/// });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetError {
    /// No host by that name exists in this simulation (a DNS failure: no time passes).
    UnknownHost {
        /// The name asked for.
        host: String,
    },
    /// The host is up but nothing listens on it (after one round trip).
    Refused {
        /// The host.
        host: String,
    },
    /// No reply before the client's timeout: the request or reply was lost, a partition cut
    /// the link, or the host is down.
    Timeout {
        /// The host.
        host: String,
        /// The timeout that passed.
        after: Duration,
    },
    /// The connection was reset: the host restarted since it was opened, or an injected reset.
    Reset {
        /// The host.
        host: String,
    },
    /// The connection was closed (by [`Connection::close`](crate::net::Connection::close) or an
    /// earlier reset).
    Closed {
        /// The host.
        host: String,
    },
    /// The sending host is down ([`crash`](crate::net::crash)ed and not restarted).
    HostDown {
        /// The host.
        host: String,
    },
    /// Something already listens on the host.
    AddrInUse {
        /// The host.
        host: String,
    },
}

impl NetError {
    /// The host the error is about.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = simloop::net::NetError::Closed { host: "db".into() };
    /// assert_eq!(err.host(), "db");
    /// ```
    pub fn host(&self) -> &str {
        match self {
            NetError::UnknownHost { host }
            | NetError::Refused { host }
            | NetError::Timeout { host, .. }
            | NetError::Reset { host }
            | NetError::Closed { host }
            | NetError::HostDown { host }
            | NetError::AddrInUse { host } => host,
        }
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::UnknownHost { host } => write!(f, "unknown host `{host}`"),
            NetError::Refused { host } => write!(f, "connection to `{host}` refused"),
            NetError::Timeout { host, after } => {
                write!(f, "no reply from `{host}` within {after:?}")
            }
            NetError::Reset { host } => write!(f, "connection to `{host}` reset"),
            NetError::Closed { host } => write!(f, "connection to `{host}` is closed"),
            NetError::HostDown { host } => write!(f, "host `{host}` is down"),
            NetError::AddrInUse { host } => write!(f, "`{host}` already has a server"),
        }
    }
}

impl Error for NetError {}
