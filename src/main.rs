use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    modelmart::telemetry::init("info,sqlx=warn");
    let cli = modelmart::cli::Cli::parse();
    match modelmart::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
