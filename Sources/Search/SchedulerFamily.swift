// SchedulerFamily: what a cross-trial scheduler registers — its sweep-file name, keys and stopper.

/// A kind of cross-trial scheduler a sweep file can name in `early_stopping.scheduler`, listed in
/// `Schedulers.all`. Adding one is a file with a conforming type (beside its `Stopper`) and a line
/// in `Schedulers.all`; the parser, its error messages and `hpsearch simulate` follow.
///
/// The contract (`SchedulerContractTests` checks it for every registered family):
/// - `name` is the sweep file's `type`, unique in the registry; `scheduler: NAME` and
///   `scheduler: {type: NAME}` both select the family with every key at its default.
/// - `keys` are the only keys besides `type` its mapping form accepts, and the parser reads them in
///   this order with the `SchedulerKey`'s bounds (so the first bad one is the one reported). A key
///   name several families use (`grace_epochs`) means the same in each.
/// - `make` returns a fresh stopper for a spec of this family (every key with a default is set),
///   or nil for "no cross-trial rule" (`none`). The stopper keeps `Stopper`'s contract: pure and
///   deterministic given the sequence of calls, `maxEpochs(trial:)` ≤ the `maxEpochs` it was made
///   with, and never a stop at or after a trial's last epoch.
/// - `example`: the settings `hpsearch simulate` runs the family with (keys left out take their
///   defaults).
public protocol SchedulerFamily: Sendable {
    /// The sweep file's `type`: `asha`.
    var name: String { get }
    /// One line for people (help, docs).
    var summary: String { get }
    /// The keys besides `type`, in the order they are read and documented.
    var keys: [SchedulerKey] { get }
    /// The settings `hpsearch simulate` uses (default: none, i.e. every key at its default).
    var example: [String: Int] { get }
    /// The stopper for `spec` (whose family is this one), for a metric with `goal` and trials of at
    /// most `maxEpochs` epochs; nil: no cross-trial rule.
    func make(_ spec: SchedulerSpec, goal: Goal, maxEpochs: Int) -> (any Stopper)?
}

extension SchedulerFamily {
    public var example: [String: Int] { [:] }

    /// This family with every key at its default (what `scheduler: NAME` means).
    public var defaults: SchedulerSpec { SchedulerSpec(self) }
}

extension SchedulerFamily {
    /// The family's spec from the mapping form `m` of `early_stopping.scheduler` (its `type` already
    /// read as this family): any key not in `keys` is an error at that key, then each key present is
    /// read in `keys` order; absent keys take their defaults.
    func spec(from m: YAMLMapping, budget: Budget) throws -> SchedulerSpec {
        let takes = keys.map(\.name)
        for (key, value) in m.entries where key != "type" && !takes.contains(key) {
            throw value.keyError("key '\(key)' does not apply to scheduler '\(name)', which takes "
                                 + (takes.isEmpty ? "no other keys" : YAMLField.list(takes, "and")))
        }
        var settings: [String: Int] = [:]
        for key in keys {
            if let field = m[key.name] { settings[key.name] = try key.read(field, budget: budget) }
        }
        return SchedulerSpec(self, settings)
    }
}
