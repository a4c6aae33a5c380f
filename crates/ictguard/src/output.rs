//! Output files written whole or not at all: a command writes into a temporary file beside the
//! target and renames it into place only when it succeeds, so a fatal error leaves neither a
//! half-written file nor a header with no rows, and an earlier file of that name stays as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// An output in progress: standard output, or a temporary file to move into place.
pub struct Output {
    pending: Option<(tempfile::TempPath, PathBuf)>,
}

/// Where a command writes: `path`, or standard output when none is given. Call
/// [`Output::commit`] once everything is written and flushed.
pub fn create(path: Option<&Path>) -> anyhow::Result<(Box<dyn Write>, Output)> {
    let Some(path) = path else {
        return Ok((Box::new(std::io::stdout().lock()), Output { pending: None }));
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ictguard-");
    // the permissions a plain create would give (the umask applies), not the temporary file's
    // owner-only ones
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let (file, temp) = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create {}", path.display()))?
        .into_parts();
    let output = Output {
        pending: Some((temp, path.to_path_buf())),
    };
    Ok((Box::new(file), output))
}

impl Output {
    /// Keep what was written before a fatal error beside the target, as `<target>.partial`
    /// (never under the target's own name, where it could pass for a complete run); the path,
    /// or none for standard output.
    pub fn keep_partial(self) -> anyhow::Result<Option<PathBuf>> {
        let Some((temp, path)) = self.pending else {
            return Ok(None);
        };
        let mut partial = path.into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        temp.persist(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        Ok(Some(partial))
    }

    /// Move the finished file into place (nothing to do for standard output).
    pub fn commit(self) -> anyhow::Result<()> {
        if let Some((temp, path)) = self.pending {
            temp.persist(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}
