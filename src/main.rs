use std::process::ExitCode;

fn main() -> ExitCode {
    isms::run(std::env::args_os())
}
