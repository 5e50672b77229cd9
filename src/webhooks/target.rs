//! Where a webhook may point. Outside development: https only, no
//! credentials in the URL, and no address that is loopback, private,
//! link-local, unique-local, multicast or otherwise not a public unicast
//! address, checked after DNS resolution (and again at each delivery, which
//! connects only to the address it checked, so DNS rebinding cannot steer
//! it inside). Redirects are never followed.

use std::net::{IpAddr, SocketAddr};

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("is not an absolute URL")]
    NotAUrl,
    #[error("must use https")]
    NotHttps,
    #[error("must not carry credentials")]
    Credentials,
    #[error("has no host")]
    NoHost,
    #[error("names port 0, which no server listens on")]
    PortZero,
    #[error("does not resolve")]
    DoesNotResolve,
    #[error("resolves to a non-public address ({0})")]
    NonPublic(IpAddr),
}

/// Whether `ip` is a public unicast address a webhook may reach.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let first = segments[0];
            // Forms that carry an IPv4 address inside (mapped, compatible,
            // translated, NAT64 and 6to4) reach that address: judge it.
            if let Some(v4) = embedded_ipv4(v6) {
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link local
                || (first & 0xffc0) == 0xfec0 // site local (deprecated)
                || (first == 0x2001 && segments[1] == 0x0db8) // documentation
                || (first == 0x2001 && segments[1] == 0x0000) // Teredo: a tunnel to an IPv4 host
                || (first == 0x0064 && segments[1] == 0xff9b && segments[2] == 0x0001) // local-use NAT64
                || (first == 0x0100 && segments[1..4] == [0, 0, 0]) // discard only
                || segments[..5] == [0, 0, 0, 0, 0]) // the rest of ::/80
        }
    }
}

/// The IPv4 address an IPv6 address stands for, where its form embeds one:
/// IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, IPv4-translated
/// `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` and 6to4 `2002:AABB:CCDD::`.
fn embedded_ipv4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let v4 = |high: u16, low: u16| std::net::Ipv4Addr::from(((high as u32) << 16) | low as u32);
    let compatible = s[..6] == [0, 0, 0, 0, 0, 0] && (s[6] != 0 || s[7] > 1);
    let mapped = s[..6] == [0, 0, 0, 0, 0, 0xffff];
    let translated = s[..6] == [0, 0, 0, 0, 0xffff, 0];
    let nat64 = s[..6] == [0x0064, 0xff9b, 0, 0, 0, 0];
    if compatible || mapped || translated || nat64 {
        return Some(v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(v4(s[1], s[2]));
    }
    None
}

/// Checks the URL's form.
pub fn parse(text: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = Url::parse(text).map_err(|_| TargetError::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(TargetError::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::NoHost);
    }
    if url.port() == Some(0) {
        return Err(TargetError::PortZero);
    }
    Ok(url)
}

/// Resolves the URL's host and returns the first address, refusing any
/// non-public one unless `allow_private`.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, TargetError> {
    let host = url.host_str().ok_or(TargetError::NoHost)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| TargetError::DoesNotResolve)?
        .collect();
    if addresses.is_empty() {
        return Err(TargetError::DoesNotResolve);
    }
    if !allow_private {
        if let Some(bad) = addresses.iter().find(|a| !is_public(a.ip())) {
            return Err(TargetError::NonPublic(bad.ip()));
        }
    }
    Ok(addresses[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_unicast_addresses_are_reachable() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:0:127.0.0.1",
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "100::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_must_be_https_without_credentials_outside_development() {
        assert_eq!(parse("http://example.com/hook", false), Err(TargetError::NotHttps));
        assert!(parse("http://127.0.0.1:9000/hook", true).is_ok());
        assert_eq!(
            parse("https://user:pw@example.com/", false),
            Err(TargetError::Credentials)
        );
        assert_eq!(parse("not a url", false), Err(TargetError::NotAUrl));
        assert!(parse("https://hooks.example.com/modelmart", false).is_ok());
        assert_eq!(parse("https://hooks.example.com:0/", false), Err(TargetError::PortZero));
        assert_eq!(parse("http://127.0.0.1:0/", true), Err(TargetError::PortZero));
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let url = parse("https://localhost/hook", false).unwrap();
        assert!(matches!(resolve(&url, false).await, Err(TargetError::NonPublic(_))));
    }
}
