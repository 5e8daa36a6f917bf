// Saving and restoring the random streams of a layer tree (dropout masks), so that a training
// run resumed from a saved state draws exactly the masks the uninterrupted run would have.
import TensorCore

extension Layer {
    /// One entry per stream in `namedRandomStreams`, named "rng:<name>", holding `RNG.state` as
    /// an exact integer entry (`Checkpoint.Entry(name:integers:)`, shape [4, 4]).
    public func randomStateEntries() -> [Checkpoint.Entry] {
        namedRandomStreams.map { Checkpoint.Entry(name: "rng:" + $0.0, integers: $0.1.state) }
    }

    /// Restores every stream from `entries` (from `randomStateEntries()`): each stream must be
    /// present exactly once and nothing else; nothing is changed unless all of them are valid.
    public func restoreRandomStates(_ entries: [Checkpoint.Entry], source: String = "checkpoint") throws {
        var byName: [String: Checkpoint.Entry] = [:]
        for e in entries where byName.updateValue(e, forKey: e.name) != nil {
            throw CheckpointError.unexpectedEntry(path: source, name: e.name)
        }
        var restored: [(String, RNG)] = []
        for (name, _) in namedRandomStreams {
            let key = "rng:" + name
            guard let e = byName.removeValue(forKey: key) else { throw CheckpointError.missingEntry(path: source, name: key) }
            guard let rng = RNG(state: try e.integers(count: 4, source: source)) else {
                throw CheckpointError.invalidEntry(path: source, name: key, reason: "not a generator state")
            }
            restored.append((name, rng))
        }
        if let extra = byName.keys.sorted().first { throw CheckpointError.unexpectedEntry(path: source, name: extra) }
        for (name, rng) in restored {
            let found = setRandomStream(name, to: rng)
            precondition(found, "\(type(of: self)) lists random stream '\(name)' but cannot set it")
        }
    }
}
