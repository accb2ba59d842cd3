//! What travels on the simulated network: [`Request`], [`Response`], and [`NetError`], and
//! the frames that carry the first two over a TCP stream.
//!
//! A request frame is a fixed header (method, flags, connection id, path length, body length;
//! integers big-endian, as on the wire) followed by the path and the body; a response frame is
//! the status and the body length, then the body. Lengths are checked before anything is
//! allocated: a frame that does not parse is an `InvalidData` error naming the problem, and
//! the server closes that connection.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use futures::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

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

/// The methods in the order of their byte in a request frame.
const METHODS: [Method; 6] = [
    Method::Get,
    Method::Head,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
];

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
    /// No reply before the client's timeout: a partition holds the bytes back, the host is
    /// down (its SYNs go unanswered), or the reply is late.
    Timeout {
        /// The host.
        host: String,
        /// The timeout that passed.
        after: Duration,
    },
    /// The connection was reset before the reply was in: the server's host crashed, a reset
    /// was injected, or the stream ended mid-reply.
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

/// The longest path a request frame may carry: 64 KiB, far above any URL a server accepts
/// (aiohttp refuses a request line over 8 KiB).
const MAX_PATH: usize = 64 * 1024;
/// The largest body a frame may carry: 64 MiB. A length above it is malformed, not a reason to
/// allocate.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// Request header: method (1), flags (1), connection id (8), path length (4), body length (4).
const REQUEST_HEADER: usize = 18;
/// Response header: status (2), body length (4).
const RESPONSE_HEADER: usize = 6;
/// The flag bit saying the request came on a [`Connection`](crate::net::Connection).
const ON_CONNECTION: u8 = 1;

fn invalid(what: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("simloop: malformed message frame: {what}"),
    )
}

fn length(bytes: &[u8], what: &str, max: usize) -> io::Result<usize> {
    let mut word = [0; 4];
    word.copy_from_slice(bytes);
    let n = u32::from_be_bytes(word) as usize;
    if n > max {
        return Err(invalid(format!(
            "{what} of {n} bytes is over the limit of {max}"
        )));
    }
    Ok(n)
}

/// The frame of `request`, sent on connection `connection` if any.
pub(crate) fn encode_request(request: &Request, connection: Option<u64>) -> Vec<u8> {
    let path = request.path.as_bytes();
    let mut frame = Vec::with_capacity(REQUEST_HEADER + path.len() + request.body.len());
    let method = METHODS.iter().position(|&m| m == request.method);
    frame.push(method.unwrap_or(0) as u8);
    frame.push(if connection.is_some() {
        ON_CONNECTION
    } else {
        0
    });
    frame.extend_from_slice(&connection.unwrap_or(0).to_be_bytes());
    // Both lengths fit: `Request` paths and bodies past 4 GiB are refused by the reader's
    // limits anyway, and a saturated length makes the frame malformed rather than wrong.
    let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    frame.extend_from_slice(&len(path.len()));
    frame.extend_from_slice(&len(request.body.len()));
    frame.extend_from_slice(path);
    frame.extend_from_slice(&request.body);
    frame
}

/// Reads one request frame; `None` when the peer closed the stream before a new frame began.
///
/// # Errors
///
/// `InvalidData` for a frame that does not parse; the stream's error (or `UnexpectedEof` for a
/// frame cut short) when reading fails.
pub(crate) async fn read_request<R: AsyncRead + Unpin>(
    stream: &mut R,
) -> io::Result<Option<Request>> {
    let mut header = [0; REQUEST_HEADER];
    let first = stream.read(&mut header).await?;
    if first == 0 {
        return Ok(None);
    }
    stream.read_exact(&mut header[first..]).await?;
    let Some(&method) = METHODS.get(usize::from(header[0])) else {
        return Err(invalid(format!("unknown method byte {}", header[0])));
    };
    let flags = header[1];
    if flags & !ON_CONNECTION != 0 {
        return Err(invalid(format!("unknown flags {flags:#04x}")));
    }
    let mut id = [0; 8];
    id.copy_from_slice(&header[2..10]);
    let path_len = length(&header[10..14], "a path", MAX_PATH)?;
    let body_len = length(&header[14..18], "a body", MAX_BODY)?;
    let mut path = vec![0; path_len + body_len];
    stream.read_exact(&mut path).await?;
    let body = path.split_off(path_len);
    let path = String::from_utf8(path).map_err(|_| invalid("a path that is not UTF-8".into()))?;
    let mut request = Request::new(method, path).with_body(body);
    request.connection = (flags & ON_CONNECTION != 0).then(|| u64::from_be_bytes(id));
    Ok(Some(request))
}

/// Writes the frame of `response`.
///
/// # Errors
///
/// The stream's, when writing fails.
pub(crate) async fn write_response<W: AsyncWrite + Unpin>(
    stream: &mut W,
    response: &Response,
) -> io::Result<()> {
    let mut frame = Vec::with_capacity(RESPONSE_HEADER + response.body.len());
    frame.extend_from_slice(&response.status.to_be_bytes());
    let len = u32::try_from(response.body.len()).unwrap_or(u32::MAX);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&response.body);
    stream.write_all(&frame).await
}

/// Reads one response frame.
///
/// # Errors
///
/// `InvalidData` for a frame that does not parse; `UnexpectedEof` when the stream ends before
/// the frame does; the stream's error when reading fails.
pub(crate) async fn read_response<R: AsyncRead + Unpin>(stream: &mut R) -> io::Result<Response> {
    let mut header = [0; RESPONSE_HEADER];
    stream.read_exact(&mut header).await?;
    let status = u16::from_be_bytes([header[0], header[1]]);
    let body_len = length(&header[2..6], "a body", MAX_BODY)?;
    let mut body = vec![0; body_len];
    stream.read_exact(&mut body).await?;
    Ok(Response::new(status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> io::Result<Option<Request>> {
        futures::executor::block_on(read_request(&mut &bytes[..]))
    }

    #[test]
    fn a_request_survives_its_frame() {
        let request = Request::post("/q", "SELECT 1");
        let back = parse(&encode_request(&request, Some(7))).unwrap().unwrap();
        assert_eq!((back.method, back.path.as_ref()), (Method::Post, "/q"));
        assert_eq!(
            (back.text(), back.connection()),
            (Some("SELECT 1"), Some(7))
        );
        let plain = parse(&encode_request(&Request::get("/"), None))
            .unwrap()
            .unwrap();
        assert_eq!(plain.connection(), None);
        assert!(
            parse(&[]).unwrap().is_none(),
            "EOF before a frame is the end"
        );
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        let good = encode_request(&Request::post("/p", "body"), None);
        let kind = |bytes: &[u8]| parse(bytes).unwrap_err().kind();
        assert_eq!(kind(&good[..good.len() - 1]), io::ErrorKind::UnexpectedEof);
        assert_eq!(kind(&good[..5]), io::ErrorKind::UnexpectedEof);
        let mut method = good.clone();
        method[0] = 99;
        assert_eq!(kind(&method), io::ErrorKind::InvalidData);
        let mut flags = good.clone();
        flags[1] = 0x80;
        assert_eq!(kind(&flags), io::ErrorKind::InvalidData);
        let mut huge = good.clone();
        huge[14..18].copy_from_slice(&u32::MAX.to_be_bytes());
        let err = parse(&huge).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("body"), "{err}");
        let mut utf8 = good;
        utf8[REQUEST_HEADER] = 0xff;
        assert_eq!(kind(&utf8), io::ErrorKind::InvalidData);
        let response = futures::executor::block_on(read_response(&mut &[0u8, 200, 0, 0][..]));
        assert_eq!(response.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
