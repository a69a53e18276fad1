//! The host, over Arm semihosting (QEMU `-semihosting-config enable=on,target=native`): the
//! console, the command line, whole files, the exit status, and, for tests only, randomness.

use core::fmt::{self, Write};

use cortex_m_semihosting::hio;
use cortex_m_semihosting::{nr, syscall, syscall1};

/// `SYS_EXIT_EXTENDED`: exit with a status code.
const SYS_EXIT_EXTENDED: usize = 0x20;
/// `ADP_Stopped_ApplicationExit`: the program ended (the status is the subcode).
const APPLICATION_EXIT: usize = 0x2_0026;

/// Writes to the host's standard output (nothing if the host refuses).
pub fn print(args: fmt::Arguments<'_>) {
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_fmt(args);
    }
}

/// Writes to the host's standard error (nothing if the host refuses).
pub fn eprint(args: fmt::Arguments<'_>) {
    if let Ok(mut err) = hio::hstderr() {
        let _ = err.write_fmt(args);
    }
}

/// Ends the emulation; the emulator exits with `status`.
pub fn exit(status: u8) -> ! {
    let block = [APPLICATION_EXIT, usize::from(status)];
    // SAFETY: SYS_EXIT_EXTENDED reads the two-word block and does not return.
    unsafe { syscall1(SYS_EXIT_EXTENDED, block.as_ptr() as usize) };
    loop {
        cortex_m::asm::wfi();
    }
}

/// The command line QEMU was given (`-semihosting-config ...,arg=...`) into `buf`.
pub fn command_line(buf: &mut [u8]) -> Option<&str> {
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: SYS_GET_CMDLINE writes at most `buf.len()` bytes into `buf` and the length
    // written into the block.
    let failed = unsafe { syscall1(nr::GET_CMDLINE, block.as_mut_ptr() as usize) } != 0;
    let len = block[1];
    if failed || len > buf.len() {
        return None;
    }
    core::str::from_utf8(&buf[..len]).ok()
}

/// Why a host file could not be read.
#[derive(Debug, Clone, Copy)]
pub enum FileError {
    /// The path does not fit the path buffer.
    PathTooLong,
    /// The host could not open the file.
    Open,
    /// The file holds more than the buffer: `needed` bytes.
    TooLarge { needed: usize },
    /// The host could not read the file.
    Read,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PathTooLong => f.write_str("path too long"),
            Self::Open => f.write_str("cannot open"),
            Self::TooLarge { needed } => write!(f, "too large ({needed} bytes)"),
            Self::Read => f.write_str("cannot read"),
        }
    }
}

/// An open host file, closed on drop.
struct File(usize);

impl File {
    fn open(path: &str) -> Result<Self, FileError> {
        let mut name = [0u8; 256];
        let name = name.get_mut(..=path.len()).ok_or(FileError::PathTooLong)?;
        name[..path.len()].copy_from_slice(path.as_bytes());
        // SAFETY: `name` is NUL-terminated and outlives the call; `path.len()` excludes the NUL.
        let handle = unsafe { syscall!(OPEN, name.as_ptr(), nr::open::R_BINARY, path.len()) };
        if handle == usize::MAX { Err(FileError::Open) } else { Ok(Self(handle)) }
    }

    /// Fills `buf` completely.
    fn read_exact(&self, buf: &mut [u8]) -> Result<(), FileError> {
        // SAFETY: the host writes at most `buf.len()` bytes into `buf`; returns the count not read.
        let left = unsafe { syscall!(READ, self.0, buf.as_mut_ptr(), buf.len()) };
        if left == 0 { Ok(()) } else { Err(FileError::Read) }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        // SAFETY: closes a handle this value owns.
        unsafe { syscall!(CLOSE, self.0) };
    }
}

/// Reads the host file at `path` into `buf`; returns the bytes read.
pub fn read_file<'b>(path: &str, buf: &'b mut [u8]) -> Result<&'b [u8], FileError> {
    let file = File::open(path)?;
    // SAFETY: queries the length of a handle this function owns.
    let len = unsafe { syscall!(FLEN, file.0) };
    if len == usize::MAX {
        return Err(FileError::Read);
    }
    let buf = buf.get_mut(..len).ok_or(FileError::TooLarge { needed: len })?;
    file.read_exact(buf)?;
    Ok(buf)
}

/// TEST ONLY: randomness read from the host's `/dev/urandom` over semihosting. The emulated
/// board has no TRNG; real firmware passes its MCU's TRNG instead.
pub struct HostRandom(File);

impl HostRandom {
    /// Opens the host's `/dev/urandom`.
    pub fn open() -> Result<Self, FileError> {
        File::open("/dev/urandom").map(Self)
    }

    /// Fills `dest` with random bytes.
    pub fn fill(&mut self, dest: &mut [u8]) -> Result<(), FileError> {
        self.0.read_exact(dest)
    }
}

/// `print!` over semihosting.
#[macro_export]
macro_rules! hprint {
    ($($arg:tt)*) => { $crate::semihosting::print(format_args!($($arg)*)) };
}

/// `eprint!` over semihosting.
#[macro_export]
macro_rules! heprint {
    ($($arg:tt)*) => { $crate::semihosting::eprint(format_args!($($arg)*)) };
}
