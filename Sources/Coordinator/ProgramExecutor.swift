// ProgramExecutor: a trial is the user's own program (the sweep file's `program:`), started
// without a shell on whichever rank holds the trial:
// - Parameters reach it as `--name=value` argv elements, a JSON file (`$HPSEARCH_CONFIG`) or
//   `HPSEARCH_PARAM_<NAME>` variables; it also gets HPSEARCH_TRIAL, HPSEARCH_SEED,
//   HPSEARCH_MAX_EPOCHS, HPSEARCH_OUTPUT_DIR and HPSEARCH_CHECKPOINT_DIR (empty directories of
//   its own on this host; its working directory is the trial's directory beside them), and
//   HPSEARCH_RESUME=1 when it continues from a checkpoint.
// - Each line `hpsearch {"epoch": 3, "val_loss": 0.31, …}` on its standard output is an epoch
//   report; rank 0 decides on it as on the built-in trainer's. A stop is SIGTERM, then SIGKILL
//   `grace_seconds` later; the trial is recorded pruned (or early-stopped, for the sweep's own
//   patience) with the reason. Exit status 0 after its epochs: completed; anything else: failed,
//   with the last lines of its standard error.
// - After each reported epoch, what it left in HPSEARCH_CHECKPOINT_DIR goes to rank 0 as the
//   trial's epoch state (a FileBundle, at most HPSEARCH_PROGRAM_STATE_LIMIT bytes, default
//   256 MiB), and comes back into the checkpoint directory of the rank that resumes it.
// - At the end `validation.npy` / `test.npy` (probabilities [N, C] or outputs [N, K]) become the
//   trial's stored predictions, and `validation_labels.npy` / `test_labels.npy` and its
//   standard output and error travel to rank 0 in a FileBundle, kept under RUN_DIR/trials/NNNNN/.
import Cluster
import Datasets
import Foundation
import Search
import Storage
import Training

public struct ProgramExecutor: TrialExecutor {
    public let spec: SweepSpec
    public let program: ProgramSpec
    /// Where trial directories are made (default: HPSEARCH_WORK_DIR, else the system's
    /// temporary directory); each is removed when its trial ends.
    public var workRoot: URL
    /// The largest checkpoint directory sent to rank 0 as an epoch state.
    public var stateLimit: Int
    /// Faults to act out after an epoch (HPSEARCH_FAULT: `kill` and `hang` of this worker, the
    /// program killed first); the fault suite's.
    public var faults = FaultInjection()
    /// A distillation's teacher: students get its soft targets on the training split as
    /// HPSEARCH_TEACHER (an .npy), with HPSEARCH_TEMPERATURE and HPSEARCH_ALPHA.
    public var teacher: Teacher?

    /// The executor for the sweep a welcome describes: with a distillation payload, the
    /// distillation sweep's, with its teacher (as `TrialRunner.make`).
    public static func make(spec: SweepSpec, payload: [UInt8]) throws -> ProgramExecutor {
        guard !payload.isEmpty else { return try ProgramExecutor(spec: spec) }
        let p = try DistillationPayload.decode(payload)
        var executor = try ProgramExecutor(spec: p.sweep(parent: spec).spec)
        executor.teacher = p.teacher
        return executor
    }

    /// The files a program writes into HPSEARCH_OUTPUT_DIR that travel to rank 0.
    public static let outputFiles = ["validation.npy", "test.npy", "train.npy", "validation_labels.npy", "test_labels.npy"]
    /// The last bytes of standard error kept in a failed trial's message.
    static let stderrTail = 2000

    public init(spec: SweepSpec) throws {
        guard let program = spec.program else { throw CoordinatorError("the sweep has no program: section") }
        self.spec = spec
        self.program = program
        let env = ProcessInfo.processInfo.environment
        let root = env["HPSEARCH_WORK_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hpsearch-\(getuid())")
        workRoot = root.appendingPathComponent("\(spec.name)-\(getpid())")
        stateLimit = env["HPSEARCH_PROGRAM_STATE_LIMIT"].flatMap(Int.init) ?? 256 << 20
        faults = try FaultInjection.fromEnvironment()
    }

    /// The argv: `command` with the elements naming files beside the sweep file made absolute and
    /// the first looked up on PATH; then the parameters (`flags`) and the max-epochs flag.
    public func arguments(for task: TrialTask) throws -> (executable: String, arguments: [String]) {
        let sweepDirectory = URL(fileURLWithPath: spec.file).deletingLastPathComponent()
        var argv = program.command.map { element -> String in
            guard !element.hasPrefix("/"), !element.hasPrefix("-") else { return element }
            let candidate = sweepDirectory.appendingPathComponent(element).path
            return FileManager.default.fileExists(atPath: candidate) ? candidate : element
        }
        if program.arguments == .flags {
            for (name, value) in task.configuration.values.sorted(by: { $0.key < $1.key }) { argv.append("--\(name)=\(value)") }
        }
        if let flag = program.maxEpochsFlag { argv.append("\(flag)=\(task.maxEpochs)") }
        let first = argv.removeFirst()
        return (try Self.locate(first), argv)
    }

    /// `name` as an executable path: as given when it holds a `/`, else the first on PATH.
    static func locate(_ name: String) throws -> String {
        if name.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else {
                throw CoordinatorError("program: \(name) is not an executable file; check program.command (relative paths start at the sweep file's directory)")
            }
            return name
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw CoordinatorError("program: '\(name)' is not on PATH on \(ProcessInfo.processInfo.hostName); install it or give its full path in program.command")
    }

    /// An epoch report line's record, or nil for a line that is the program's log.
    static func report(_ line: Substring, trial: Int) throws -> EpochRecord? {
        guard line.hasPrefix("hpsearch ") else { return nil }
        let body = line.dropFirst("hpsearch ".count)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw CoordinatorError("trial \(trial): the report line '\(line.prefix(200))' is not `hpsearch ` followed by one JSON object")
        }
        guard let epoch = (object["epoch"] as? NSNumber)?.intValue, epoch >= 1 else {
            throw CoordinatorError("trial \(trial): the report '\(body.prefix(200))' needs \"epoch\": a whole number from 1")
        }
        func number(_ key: String) -> Double? {
            guard let n = object[key] as? NSNumber else { return object[key] is NSNull ? .nan : nil }
            return n.doubleValue
        }
        var r = EpochRecord(trial: trial, epoch: epoch, trainLoss: number("train_loss") ?? .nan, trainAccuracy: number("train_accuracy") ?? .nan,
                            validationLoss: number("val_loss") ?? .nan, validationAccuracy: number("val_accuracy") ?? .nan,
                            learningRate: number("learning_rate") ?? .nan, seconds: number("seconds") ?? .nan)
        for (key, _) in object where !["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"].contains(key) {
            if let v = number(key) { r.metrics[key] = v }
        }
        return r
    }

    public func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
                    decide: (EpochRecord) -> StopDecision) -> TrialOutput {
        let started = Date()
        let folder = workRoot.appendingPathComponent(String(RunDirectory.trialFolder(task.index).dropFirst("trials/".count)))
        let output = folder.appendingPathComponent("output"), checkpoint = folder.appendingPathComponent("checkpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        func failed(_ message: String, epochs: Int = 0, logs: FileBundle = FileBundle()) -> TrialOutput {
            TrialOutput(result: TrialResult(trial: task.index, state: .failed, message: message, epochs: epochs,
                                            seconds: Date().timeIntervalSince(started)),
                        checkpoint: logs.files.isEmpty ? [] : logs.encoded())
        }
        let process = Process()
        let stdoutLog = folder.appendingPathComponent("stdout.log"), stderrLog = folder.appendingPathComponent("stderr.log")
        var environment = ProcessInfo.processInfo.environment
        do {
            try? FileManager.default.removeItem(at: folder)
            for d in [output, checkpoint] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
            FileManager.default.createFile(atPath: stdoutLog.path, contents: nil)
            FileManager.default.createFile(atPath: stderrLog.path, contents: nil)
            var task = task
            if let teacher, let split = DistillationSweep.split(task.configuration) {
                // A student: its own parameters as flags; the teacher's soft targets at its
                // temperature. The hard-label control (alpha 0) gets no teacher.
                task.configuration = split.student
                if split.alpha > 0 {
                let targets = teacher.regression ? teacher.meanOutputs() : teacher.softTargets(temperature: split.temperature)
                let bytes = targets.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
                let file = folder.appendingPathComponent("teacher.npy")
                try Data(NPY.encode(NPYArray(kind: .float, itemSize: 4, bigEndian: false, shape: [teacher.rows, teacher.classes], bytes: bytes))).write(to: file)
                environment["HPSEARCH_TEACHER"] = file.path
                environment["HPSEARCH_TEMPERATURE"] = "\(split.temperature)"
                environment["HPSEARCH_ALPHA"] = "\(split.alpha)"
                }
            }
            let (executable, arguments) = try self.arguments(for: task)
            environment["HPSEARCH_TRIAL"] = "\(task.index)"
            environment["HPSEARCH_SEED"] = "\(task.seed)"
            environment["HPSEARCH_MAX_EPOCHS"] = "\(task.maxEpochs)"
            environment["HPSEARCH_OUTPUT_DIR"] = output.path
            environment["HPSEARCH_CHECKPOINT_DIR"] = checkpoint.path
            if !resumeState.isEmpty, let bundle = try? FileBundle(decoding: resumeState, source: "trial \(task.index)'s checkpoint") {
                try bundle.write(to: checkpoint)
                environment["HPSEARCH_RESUME"] = "1"
            }
            switch program.arguments {
            case .flags: break
            case .json:
                let config = folder.appendingPathComponent("config.json")
                try JSONSerialization.data(withJSONObject: task.configuration.values.mapValues(\.jsonValue), options: [.sortedKeys]).write(to: config)
                environment["HPSEARCH_CONFIG"] = config.path
            case .env:
                for (name, value) in task.configuration.values { environment[ProgramSpec.environmentName(name)] = "\(value)" }
            }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = folder
        } catch {
            return failed("\(error)")
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return failed("program: cannot start \(process.executableURL?.path ?? "?"): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        // Standard error: to its log, on a thread of its own (a full pipe would block the program).
        let stderrDone = DispatchSemaphore(value: 0)
        let stderrHandle = FileHandle(forWritingAtPath: stderrLog.path)
        Thread.detachNewThread {
            while true {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderrHandle?.write(chunk)
            }
            stderrDone.signal()
        }
        let stdoutHandle = FileHandle(forWritingAtPath: stdoutLog.path)
        var stopReason: String?, protocolError: String?
        var reports: [EpochRecord] = []
        var patience = spec.earlyStopping.patience.map {
            PatienceStopper(patience: $0, minDelta: spec.earlyStopping.minDelta, goal: spec.metric.goal, maxEpochs: task.maxEpochs)
        }
        var patienceStopped = false
        let fault = faults.fault(trial: task.index)
        /// SIGTERM now, SIGKILL `grace_seconds` later if it still runs.
        func terminate() {
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + program.graceSeconds) {
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        var buffer = Data()
        var lastReport = Date()
        func handle(_ line: Substring) {
            guard stopReason == nil, protocolError == nil else { return }
            do {
                guard var r = try Self.report(line, trial: task.index) else { return }
                if let last = reports.last, r.epoch <= last.epoch {
                    throw CoordinatorError("trial \(task.index): epoch \(r.epoch) reported after epoch \(last.epoch); epochs must increase")
                }
                if r.seconds.isNaN { r.seconds = Date().timeIntervalSince(lastReport) }
                lastReport = Date()
                guard !r.value(of: spec.metric).isNaN || spec.metric.name == "val_loss" && !r.validationLoss.isNaN else {
                    throw CoordinatorError("trial \(task.index): the report of epoch \(r.epoch) has no \"\(spec.metric.name)\", the sweep's metric; print it in every report line")
                }
                if let fault, r.epoch == fault.epoch, fault.kind == .kill || fault.kind == .hang {
                    // As the built-in trainer: the worker dies (or hangs) before this epoch's report.
                    if fault.kind == .kill { kill(pid, SIGKILL) }
                    FaultInjection.strike(fault)
                }
                reports.append(r)
                var decision = decide(r)
                if !decision.isStop, var p = patience {
                    let d = p.report(trial: task.index, epoch: r.epoch, value: r.value(of: spec.metric))
                    patience = p
                    if d.isStop { decision = d; patienceStopped = true }
                }
                if case .stop(let reason) = decision {
                    terminate()
                    stopReason = reason
                } else if r.epoch < task.maxEpochs, let bundle = try? FileBundle(directory: checkpoint), !bundle.files.isEmpty,
                          bundle.totalBytes <= stateLimit {
                    saveState(r.epoch, bundle.encoded())
                }
            } catch {
                protocolError = "\(error)"
                kill(pid, SIGKILL)
            }
        }
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stdoutHandle?.write(chunk)
            buffer.append(chunk)
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                handle(line.hasSuffix("\r") ? line.dropLast() : line[...])
            }
        }
        if !buffer.isEmpty { handle(String(decoding: buffer, as: UTF8.self)[...]) }
        // Not waitUntilExit: on Linux it runs the run loop in 50 ms slices, a third of a short
        // trial's cost. Foundation's own SIGCHLD monitor reaps the child; this sleeps 1 ms a look.
        while process.isRunning { usleep(1000) }
        stderrDone.wait()
        try? stdoutHandle?.close()
        try? stderrHandle?.close()

        // What travels to rank 0: the logs, the label files.
        var bundle = FileBundle()
        for (name, url) in [("stdout.log", stdoutLog), ("stderr.log", stderrLog)] {
            if let d = FileManager.default.contents(atPath: url.path) { bundle.files.append((name, [UInt8](d))) }
        }
        let stderrText = String(decoding: (bundle["stderr.log"] ?? []).suffix(Self.stderrTail), as: UTF8.self)
        let epochs = reports.last?.epoch ?? 0
        let best = reports.filter { !$0.value(of: spec.metric).isNaN }.min { a, b in
            let (x, y) = (a.value(of: spec.metric), b.value(of: spec.metric))
            return x == y ? a.epoch < b.epoch : spec.metric.isBetter(x, than: y)
        }
        if let protocolError { return failed(protocolError, epochs: epochs, logs: bundle) }
        let state: TrialState
        var message: String?
        if let stopReason {
            state = patienceStopped ? .earlyStopped : .pruned
            message = stopReason
        } else if process.terminationReason == .exit && process.terminationStatus == 0 {
            guard !reports.isEmpty else {
                return failed("the program exited 0 without reporting an epoch: print `hpsearch {\"epoch\": 1, \"\(spec.metric.name)\": …}` after each epoch"
                              + (stderrText.isEmpty ? "" : "; the end of its standard error:\n\(stderrText)"), logs: bundle)
            }
            state = .completed
        } else {
            let how = process.terminationReason == .uncaughtSignal ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
            return failed("the program \(how) after \(epochs) epoch(s)" + (stderrText.isEmpty ? "" : "; the end of its standard error:\n\(stderrText)"),
                          epochs: epochs, logs: bundle)
        }
        var validation: [UInt8] = [], test: [UInt8] = []
        for name in Self.outputFiles {
            let url = output.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            if name.hasSuffix("labels.npy") { bundle.files.append((name, [UInt8](data))); continue }
            do {
                let a = try NPY.parse([UInt8](data), source: "trial \(task.index)'s \(name)")
                guard a.shape.count == 2 || a.shape.count == 1 else {
                    throw CoordinatorError("trial \(task.index)'s \(name) has shape \(a.shape); expected [N, C] probabilities or [N, K] outputs")
                }
                let bytes = a.floats().withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
                if name == "validation.npy" { validation = bytes } else if name == "test.npy" { test = bytes } else { bundle.files.append(("train.f32", bytes)) }
                bundle.files.append((name.replacingOccurrences(of: ".npy", with: "_shape.json"),
                                     Array("{\"shape\": [\(a.shape.map(String.init).joined(separator: ", "))]}".utf8)))
            } catch {
                return failed("\(error)", epochs: epochs, logs: bundle)
            }
        }
        var result = TrialResult(trial: task.index, state: state, message: message, epochs: epochs, bestEpoch: best?.epoch,
                                 seconds: Date().timeIntervalSince(started))
        result.message = message
        return TrialOutput(result: result, checkpoint: bundle.encoded(), validationProbabilities: validation, testProbabilities: test)
    }
}
