//! The little DER reading the signature formats need: tag, length, contents, bounds-checked.
//!
//! Hand-written because only element boundaries are needed (to lift certificates out of a PKCS#7
//! SignedData as raw bytes); a full ASN.1 library would decode far more than is used here.

/// One DER element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The contents.
    pub contents: &'a [u8],
    /// The whole element (tag, length and contents).
    pub raw: &'a [u8],
}

/// Read the element at the start of `data`; None when malformed or truncated.
pub fn read(data: &[u8]) -> Option<Tlv<'_>> {
    let tag = *data.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags do not occur in the structures read here
    }
    let first = *data.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None; // indefinite or absurd lengths
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some(Tlv {
        tag,
        contents: data.get(header..end)?,
        raw: data.get(..end)?,
    })
}

/// The elements inside a constructed element's contents, in order (stops at the first malformed one).
pub fn children(contents: &[u8]) -> impl Iterator<Item = Tlv<'_>> {
    let mut rest = contents;
    std::iter::from_fn(move || {
        let t = read(rest)?;
        rest = &rest[t.raw.len()..];
        Some(t)
    })
}

/// The certificates of a PKCS#7 / CMS SignedData (`ContentInfo`), as raw DER, the signer's own
/// first: the certificate whose issuer and serial number the first SignerInfo names (the bag may
/// hold others, in any order).
pub fn pkcs7_certificates(data: &[u8]) -> Option<Vec<&[u8]>> {
    let content_info = read(data).filter(|t| t.tag == 0x30)?;
    let explicit = children(content_info.contents).find(|t| t.tag == 0xa0)?;
    let signed_data = read(explicit.contents).filter(|t| t.tag == 0x30)?;
    let certs = children(signed_data.contents).find(|t| t.tag == 0xa0)?;
    let mut out: Vec<&[u8]> = children(certs.contents)
        .filter(|c| c.tag == 0x30)
        .map(|c| c.raw)
        .collect();
    // signerInfos is the last SET; its first SignerInfo: version, then sid = issuerAndSerialNumber
    let signer_infos = children(signed_data.contents)
        .filter(|t| t.tag == 0x31)
        .last();
    let sid = signer_infos
        .and_then(|s| children(s.contents).next())
        .and_then(|si| children(si.contents).nth(1))
        .filter(|sid| sid.tag == 0x30);
    if let Some(sid) = sid {
        let mut parts = children(sid.contents);
        if let (Some(issuer), Some(serial)) = (parts.next(), parts.next()) {
            if let Some(i) = out
                .iter()
                .position(|c| issuer_and_serial(c) == Some((issuer.raw, serial.raw)))
            {
                let signer = out.remove(i);
                out.insert(0, signer);
            }
        }
    }
    Some(out)
}

/// A certificate's issuer Name and serial number, as raw DER.
fn issuer_and_serial(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    let cert = read(cert)?;
    let tbs = children(cert.contents).next()?;
    let mut fields = children(tbs.contents).peekable();
    if fields.peek()?.tag == 0xa0 {
        fields.next(); // explicit version
    }
    let serial = fields.next()?;
    let _signature_algorithm = fields.next()?;
    let issuer = fields.next()?;
    Some((issuer.raw, serial.raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let t = read(&[0x30, 0x03, 1, 2, 3, 9]).unwrap();
        assert_eq!(
            (t.tag, t.contents, t.raw.len()),
            (0x30, &[1u8, 2, 3][..], 5)
        );
        let mut long = vec![0x04, 0x82, 0x01, 0x00];
        long.extend(vec![7u8; 256]);
        assert_eq!(read(&long).unwrap().contents.len(), 256);
        assert!(read(&[0x30, 0x05, 1]).is_none());
        assert!(read(&[0x30, 0x80]).is_none());
        assert!(read(&[]).is_none());
    }
}
