// FaultInjection: faults a worker rank inflicts on itself on purpose, so that the fault suite
// (scripts/faults.sh, the tests) exercises the same code paths as real failures. Read from
// HPSEARCH_FAULT on worker ranks: `KIND:TRIAL[:EPOCH]` entries separated by `;`, e.g.
// `hang:3:2` (trial 3 stops answering after its 2nd epoch) or `throw:5`.
import Foundation

public struct FaultInjection: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Training throws before the first epoch: the trial fails with the message.
        case `throw`
        /// The weights become NaN after the epoch: the trainer's divergence check ends the trial.
        case nan
        /// The worker stops answering after the epoch (sleeps for ever): rank 0's timeout.
        case hang
        /// The worker process dies (SIGKILL) after the epoch: mpirun ends the job.
        case kill
    }

    public struct Fault: Sendable, Equatable {
        public var kind: Kind
        /// Nil: any trial.
        public var trial: Int?
        /// After this epoch (throw: ignored).
        public var epoch: Int
        /// Nil: every rank.
        public var rank: Int?

        public init(kind: Kind, trial: Int?, epoch: Int = 1, rank: Int? = nil) {
            self.kind = kind
            self.trial = trial
            self.epoch = epoch
            self.rank = rank
        }
    }

    public var faults: [Fault]

    public init(_ faults: [Fault] = []) { self.faults = faults }

    /// Parses `KIND:TRIAL[:EPOCH][@RANK];…`; a typo is an error that says what is expected.
    public init(parsing text: String) throws {
        faults = try text.split(separator: ";").map { entry in
            let item = entry.trimmingCharacters(in: .whitespaces)
            let at = item.split(separator: "@", omittingEmptySubsequences: false)
            let parts = at[0].split(separator: ":").map(String.init)
            let rank = at.count == 2 ? Int(at[1]) : nil
            guard at.count <= 2, at.count == 1 || rank != nil, (2...3).contains(parts.count), let kind = Kind(rawValue: parts[0]),
                  parts[1] == "*" || (Int(parts[1]) ?? -1) >= 0, let epoch = parts.count == 3 ? Int(parts[2]) : 1, epoch >= 1 else {
                throw CoordinatorError("HPSEARCH_FAULT entry '\(item)' is not KIND:TRIAL[:EPOCH][@RANK] with KIND one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) and TRIAL a number or *")
            }
            return Fault(kind: kind, trial: Int(parts[1]), epoch: epoch, rank: rank)
        }
    }

    /// HPSEARCH_FAULT, the entries for this process's MPI rank (none when unset).
    public static func fromEnvironment() throws -> FaultInjection {
        let env = ProcessInfo.processInfo.environment
        guard let text = env["HPSEARCH_FAULT"], !text.isEmpty else { return FaultInjection() }
        return try FaultInjection(parsing: text).forRank(Int(env["OMPI_COMM_WORLD_RANK"] ?? "") ?? 0)
    }

    /// The entries that apply on `rank`.
    public func forRank(_ rank: Int) -> FaultInjection {
        FaultInjection(faults.filter { $0.rank == nil || $0.rank == rank })
    }

    /// The fault trial `trial` meets on this rank, if any.
    public func fault(trial: Int) -> Fault? { faults.first { $0.trial == nil || $0.trial == trial } }

    /// Acts out `hang` and `kill` (they never return); nan and throw are the trainer's to handle.
    public static func strike(_ fault: Fault) {
        switch fault.kind {
        case .hang: while true { Thread.sleep(forTimeInterval: 3600) }
        case .kill: kill(getpid(), SIGKILL)
        case .throw, .nan: break
        }
    }
}

public struct InjectedFault: Error, Sendable, CustomStringConvertible {
    public var trial: Int
    public var description: String { "injected fault (HPSEARCH_FAULT): trial \(trial) throws" }
}
