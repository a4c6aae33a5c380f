//! Reading an APK file into memory, within a size limit.
//!
//! The bytes are read, not memory-mapped: a file another process truncates or rewrites while it
//! is read gives an error or the bytes it held, never a fault (a map of it would raise SIGBUS on
//! the pages cut off). A file larger than [`MAX_APK_FILE_BYTES`] is refused before it is read, and
//! one that grows past it while read is refused too.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Largest APK read (a 4 GiB ZIP is the format's own ceiling without ZIP64).
pub const MAX_APK_FILE_BYTES: u64 = 4 << 30;

/// Why an APK file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Opening or reading it failed.
    // the I/O error is part of the message, not a `source`: callers print whole error chains,
    // which would print it twice
    #[error("cannot read {}: {error}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// It is larger than [`MAX_APK_FILE_BYTES`].
    #[error("{}: {len} bytes, over the {MAX_APK_FILE_BYTES}-byte limit", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size when opened.
        len: u64,
    },
    /// It grew past [`MAX_APK_FILE_BYTES`] while it was read.
    #[error("{}: over the {MAX_APK_FILE_BYTES}-byte limit", path.display())]
    Grew {
        /// The file.
        path: PathBuf,
    },
}

/// The bytes of an APK file, read into memory.
pub fn read_apk_file(path: &Path) -> Result<Vec<u8>, FileError> {
    let unreadable = |error| FileError::Unreadable {
        path: path.to_path_buf(),
        error,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    if len > MAX_APK_FILE_BYTES {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            len,
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // at most one byte past the limit: a file that grows while it is read is still refused
    file.take(MAX_APK_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_APK_FILE_BYTES {
        return Err(FileError::Grew {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_says_which_and_why() {
        let e = read_apk_file(Path::new("/no/such/app.apk")).unwrap_err();
        assert!(matches!(e, FileError::Unreadable { .. }));
        assert!(
            e.to_string().starts_with("cannot read /no/such/app.apk: "),
            "{e}"
        );
    }

    #[test]
    fn a_file_is_read_whole() {
        let dir = std::env::temp_dir().join(format!("ictguard-file-{}", std::process::id()));
        std::fs::write(&dir, b"PK\x05\x06").unwrap();
        assert_eq!(read_apk_file(&dir).unwrap(), b"PK\x05\x06");
        std::fs::remove_file(&dir).unwrap();
    }
}
