//! Private files: atomic creation with mode 0600, reading with a permission check.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{Read, Write};

use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::StoreError;

/// Permission bits of group and others.
const GROUP_OTHER: u32 = 0o077;

/// Creates `dir` (and its parents) with mode 0700 if missing, then checks that it is a directory
/// that group and others cannot write to (like OpenSSH's `StrictModes`: they could otherwise
/// remove or swap key files; the files themselves are 0600).
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    if !dir.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| StoreError::io(dir, e))?;
    }
    let meta = fs::metadata(dir).map_err(|e| StoreError::io(dir, e))?;
    let mode = meta.mode() & 0o7777;
    if !meta.is_dir() || mode & 0o022 != 0 {
        return Err(StoreError::InsecurePermissions {
            path: dir.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Writes `bytes` to the new file `dir/file_name` (mode 0600) atomically: temporary file,
/// fsync, hard link to the final name (which fails if it exists: never overwrites), unlink of
/// the temporary, fsync of the directory.
///
/// An existing target gives `StoreError::Io` of kind `AlreadyExists`.
pub(crate) fn write_new_private(
    dir: &Path,
    file_name: &str,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let target = dir.join(file_name);
    let tmp = dir.join(format!(".{file_name}.tmp-{}", random_suffix()?));
    let result = write_tmp(&tmp, bytes)
        .and_then(|()| fs::hard_link(&tmp, &target).map_err(|e| StoreError::io(&target, e)));
    // The temporary name goes in every case; after a successful link the data lives on under
    // the target name.
    let removed = fs::remove_file(&tmp);
    result?;
    removed.map_err(|e| StoreError::io(&tmp, e))?;
    sync_dir(dir)
}

fn write_tmp(tmp: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(|e| StoreError::io(tmp, e))?;
    // The umask can only remove bits; set 0600 exactly.
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| StoreError::io(tmp, e))?;
    file.write_all(bytes).map_err(|e| StoreError::io(tmp, e))?;
    file.sync_all().map_err(|e| StoreError::io(tmp, e))
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

fn random_suffix() -> Result<String, StoreError> {
    let r = scms_crypto::Secret::<8>::random()?;
    Ok(r.expose().iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads a private file of at most `max_len` bytes into a buffer wiped on drop.
///
/// Refuses symbolic links, non-regular files and files with any group/other permission bit.
/// A missing file gives `StoreError::Io` of kind `NotFound`.
pub(crate) fn read_private(path: &Path, max_len: u64) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let link_meta = fs::symlink_metadata(path).map_err(|e| StoreError::io(path, e))?;
    if !link_meta.file_type().is_file() {
        return Err(insecure(path, link_meta.mode()));
    }
    let mut file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    // Check the opened file itself, not the name (no race with a chmod or a swap).
    let meta = file.metadata().map_err(|e| StoreError::io(path, e))?;
    if !meta.is_file() || meta.mode() & GROUP_OTHER != 0 {
        return Err(insecure(path, meta.mode()));
    }
    if meta.len() > max_len {
        return Err(StoreError::Malformed {
            path: path.to_path_buf(),
            reason: "file too large",
        });
    }
    let cap = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    let mut buf = Zeroizing::new(Vec::with_capacity(cap));
    Read::by_ref(&mut file)
        .take(max_len + 1)
        .read_to_end(&mut buf)
        .map_err(|e| StoreError::io(path, e))?;
    if buf.len() as u64 > max_len {
        return Err(StoreError::Malformed {
            path: path.to_path_buf(),
            reason: "file too large",
        });
    }
    Ok(buf)
}

fn insecure(path: &Path, mode: u32) -> StoreError {
    StoreError::InsecurePermissions {
        path: PathBuf::from(path),
        mode: mode & 0o7777,
    }
}
