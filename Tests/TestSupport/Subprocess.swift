// Running a program from a test: its exit status and its standard output and error together.
import Foundation

public enum Subprocess {
    /// Runs `executable` with `arguments` (and `environment` added to this process's), waits, and
    /// returns the exit status and the combined output. Standard input is /dev/null (CI has none).
    ///
    /// A test must fail, not hang CI: after `timeout` seconds the program and every process it
    /// started in its process group get SIGTERM (their clean-up traps run), and SIGKILL 15 s
    /// later (coreutils `timeout`); the status is then 124 or 137 and the output says so.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double = 600) throws -> (status: Int32, output: String) {
        let p = bounded(executable, arguments, timeout: timeout)
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        var output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus == 124 || p.terminationStatus == 137 {
            output += "\n[Subprocess: \(executable) still ran after \(Int(timeout)) s and was stopped (exit \(p.terminationStatus))]\n"
        }
        return (p.terminationStatus, output)
    }

    /// A process (not started) that runs `executable` under coreutils `timeout`: SIGTERM to it
    /// and its process group after `timeout` seconds, SIGKILL 15 s later; stdin /dev/null.
    public static func bounded(_ executable: String, _ arguments: [String], timeout: Double) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        p.arguments = ["--kill-after=15", String(format: "%.0f", timeout.rounded(.up)), executable] + arguments
        p.standardInput = FileHandle.nullDevice
        return p
    }
}
