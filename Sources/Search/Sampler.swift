// Sampler: which configuration (and training seed) trial i gets. Rank 0 and every worker can
// compute it independently: the result is a pure function of (sweep seed, i).

/// Trial `index`'s configuration and the seed its training uses.
public struct TrialAssignment: Sendable, Equatable {
    public var index: Int
    public var configuration: Configuration
    public var seed: UInt64

    public init(index: Int, configuration: Configuration, seed: UInt64) {
        self.index = index
        self.configuration = configuration
        self.seed = seed
    }

    /// The training seed of trial `index`: a SplitMix64-finalised hash of (sweep seed, index),
    /// independent of the configuration (so two trials never share a seed by accident, and
    /// changing the space does not change the seeds).
    public static func trainingSeed(sweepSeed: UInt64, index: Int) -> UInt64 {
        SearchRandom.hash(sweepSeed, SearchStream.training, UInt64(bitPattern: Int64(index)))
    }
}

/// Draws the trials' configurations.
///
/// Contract: `assignment(i)` is a pure function of (sweep seed, i) and the space: identical
/// whatever the number of ranks or the order in which trials are asked for, and never a
/// configuration equal to that of an index below i. Samplers reach that by trying candidate draws
/// k = 0, 1, 2, … for index i (each a pure function of (seed, i, k)), taking the first that no
/// earlier index has; so i's result depends on 0..<i's results, and a sampler computes and caches
/// 0…i in order internally whatever order it is asked in (memory O(trials)). Asking again for an
/// index returns the cached assignment. After 1,000 misses in a space small enough to list
/// (`SearchSpace.enumerationLimit`), that index and every later one take a seeded pick among the
/// configurations not used yet, so a budget up to `SearchSpace.distinctConfigurations` always fits.
public protocol Sampler {
    /// Trial `index`'s configuration and training seed: a pure function of (sweep seed, index) —
    /// identical whatever the number of ranks or the order in which trials are asked for; never a
    /// configuration equal to an earlier index's. Throws `SamplerError` when `index` is negative or
    /// when the space has no configuration left for it (then also for every later index).
    mutating func assignment(_ index: Int) throws -> TrialAssignment
}

/// Why a trial could not be sampled.
public struct SamplerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The first index that could not be sampled.
    public var trial: Int
    /// What happened and what to change.
    public var message: String

    public init(trial: Int, message: String) {
        self.trial = trial
        self.message = message
    }

    /// `cannot sample trial 6: the search space has only 6 distinct configurations; …`.
    public var description: String { "cannot sample trial \(trial): \(message)" }
}

/// The sampler that `spec.sampler` names.
/// The sampler that `spec.sampler` names; with `repeats:` above 1, wrapped so that each
/// configuration gets that many consecutive trials (`RepeatingSampler`).
public func makeSampler(for spec: SweepSpec) -> any Sampler {
    let base: any Sampler = switch spec.sampler {
    case .random: RandomSampler(spec: spec)
    case .sobol: SobolSampler(spec: spec)
    }
    return spec.repeats > 1 ? RepeatingSampler(base: base, spec: spec) : base
}

/// Turns uniforms into configurations (the samplers' shared, immutable part).
struct ConfigurationMaker: Sendable {
    let spec: SweepSpec
    /// The parameters in dependency order, with each one's file position (its uniform's dimension).
    private let order: [(spec: ParameterSpec, dimension: Int)]

    init(spec: SweepSpec) {
        self.spec = spec
        let position = Dictionary(spec.parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        order = spec.dependencyOrder().map { ($0, position[$0.name]!) }
    }

    /// The configuration for one uniform per parameter, indexed by file position: parameters are
    /// resolved in dependency order and those whose `when` is unmet are left out (their uniform is
    /// drawn all the same, so it does not shift the others').
    func configuration(uniforms: [Double]) -> Configuration {
        var config = Configuration()
        for (p, dimension) in order where p.isActive(in: config) {
            let v = p.distribution.value(atQuantile: uniforms[dimension])
            config[p.name] = p.distribution.canonical(v) ?? v
        }
        return config
    }

    /// Candidate k ≥ 0 for `index` from independent uniforms (the random sampler's every candidate
    /// and the Sobol sampler's retries).
    func randomCandidate(index: Int, candidate k: Int) -> Configuration {
        var rng = SearchRandom(seed: spec.seed, stream: SearchRandom.hash(
            SearchStream.candidate, UInt64(bitPattern: Int64(index)), UInt64(k)))
        return configuration(uniforms: (0..<spec.parameters.count).map { _ in rng.nextUniform() })
    }
}

/// The samplers' mutable part: deduplication and the cache of assignments 0..<n.
struct AssignmentCache: Sendable {
    /// Candidate draws tried per index before falling back to enumerating the space.
    static let maxCandidates = 1000

    private var assignments: [TrialAssignment] = []
    private var used: Set<Configuration> = []
    private var failure: SamplerError?
    /// Whether the fallback listed the space yet, and whether it could (finite and small).
    private var listed = false, listable = false
    /// The configurations of the space that may still be unused (some may have been drawn since
    /// the list was made), and the space's size.
    private var unused: [Configuration] = []
    private var spaceSize = 0

    /// The assignment of `index`, computing (and caching) every lower index first.
    /// `candidate(i, k)` is the k-th candidate configuration for index i.
    mutating func assignment(_ index: Int, spec: SweepSpec,
                             candidate: (Int, Int) -> Configuration) throws -> TrialAssignment {
        guard index >= 0 else { throw SamplerError(trial: index, message: "trial indices start at 0") }
        while assignments.count <= index {
            if let failure { throw failure }
            let i = assignments.count
            do {
                let config = try fresh(i, spec: spec, candidate: candidate)
                used.insert(config)
                assignments.append(TrialAssignment(index: i, configuration: config,
                                                   seed: TrialAssignment.trainingSeed(sweepSeed: spec.seed, index: i)))
            } catch let error as SamplerError {
                failure = error
                throw error
            }
        }
        return assignments[index]
    }

    /// The first candidate for `i` that no earlier index has; after `maxCandidates` misses (and
    /// for every index after the first such miss), a seeded pick among the configurations not
    /// used yet when the space is small enough to list (≤ `SearchSpace.enumerationLimit`).
    private mutating func fresh(_ i: Int, spec: SweepSpec,
                                candidate: (Int, Int) -> Configuration) throws -> Configuration {
        // The sweep file's `initial:` configurations come first (distinct, checked by the parser).
        if i < spec.initial.count { return spec.initial[i] }
        // Once an index needed the list, later ones pick from it directly: the space is nearly used up.
        for k in 0..<(listable ? 0 : Self.maxCandidates) {
            let config = candidate(i, k)
            if !used.contains(config) { return config }
        }
        if !listed {
            listed = true
            if let all = SearchSpace.allConfigurations(spec) {
                listable = true
                spaceSize = all.count
                unused = all.filter { !used.contains($0) }
            }
        }
        if listable {
            // A seeded pick; entries drawn since the list was made are dropped as they come up
            // (each at most once), so the whole fallback costs O(space) over the sweep.
            var attempt: UInt64 = 0
            while !unused.isEmpty {
                let h = SearchRandom.hash(spec.seed, SearchStream.enumerationPick, UInt64(i), attempt)
                let j = Int(h % UInt64(unused.count))
                let config = unused[j]
                unused.swapAt(j, unused.count - 1)
                unused.removeLast()
                attempt += 1
                if !used.contains(config) { return config }
            }
            throw SamplerError(trial: i, message: "the search space has only \(spaceSize) distinct configuration"
                               + (spaceSize == 1 ? "" : "s") + "; lower budget.trials or widen the space")
        }
        let count = SearchSpace.distinctConfigurations(spec).map { "\($0) distinct configurations" }
            ?? "infinitely many configurations"
        throw SamplerError(trial: i, message: "\(Self.maxCandidates) draws in a row gave configurations that earlier "
                           + "trials already have (the space has \(count), but the rest are very unlikely); "
                           + "lower budget.trials or widen the space")
    }
}

/// Independent uniform draws per trial: candidate k of trial i feeds each parameter's inverse CDF
/// with a uniform from `SearchRandom(seed, hash(i, k))`, one per parameter in file order.
public struct RandomSampler: Sampler, Sendable {
    private let maker: ConfigurationMaker
    private var cache = AssignmentCache()

    public init(spec: SweepSpec) {
        maker = ConfigurationMaker(spec: spec)
    }

    public mutating func assignment(_ index: Int) throws -> TrialAssignment {
        let maker = maker
        return try cache.assignment(index, spec: maker.spec) { i, k in maker.randomCandidate(index: i, candidate: k) }
    }
}
