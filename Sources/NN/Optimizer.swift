// Optimizer: the update-rule protocol, plus global-norm gradient clipping.
import Foundation
import TensorCore

/// Updates parameters in place from their gradients.
///
/// Contract: `step` reads each parameter's `grad` (a parameter whose grad is nil is skipped
/// and its state left alone), writes `data`, and does not clear gradients (callers zero them).
/// Per-parameter state (moments, velocities) is kept by position: pass the same parameters in
/// the same order on every call. `learningRate` may change between steps (schedules).
///
/// Saving and restoring (resumable training): `stateEntries(for:)` returns everything the next
/// `step` depends on besides the parameters and `learningRate` — per-parameter state named
/// "<optimizer>.<kind>.<position>" with the parameter's shape, and the step count as an exact
/// integer entry "<optimizer>.step" (`Checkpoint.Entry(name:integers:)`: 16-bit limbs, so counts
/// beyond 2²⁴ survive Float32). `restoreState(_:for:)` on an optimizer of the same kind and
/// hyperparameters leaves it exactly as if it had taken those steps on `parameters`; it checks
/// every entry (names, shapes, count) before changing anything and throws `CheckpointError`.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Number of steps taken so far.
    var stepCount: Int { get }
    func step(_ parameters: [Tensor])
    /// The optimizer's state for `parameters` (the list passed to `step`), as checkpoint entries.
    func stateEntries(for parameters: [Tensor]) -> [Checkpoint.Entry]
    /// Replaces the state with `entries` (from `stateEntries(for:)`), bound to `parameters`.
    func restoreState(_ entries: [Checkpoint.Entry], for parameters: [Tensor]) throws
}

/// Looks up and checks the entries of one optimizer's saved state.
struct OptimizerStateReader {
    private var byName: [String: Checkpoint.Entry] = [:]
    let source: String

    init(_ entries: [Checkpoint.Entry], source: String = "optimizer state") throws {
        self.source = source
        for e in entries where byName.updateValue(e, forKey: e.name) != nil {
            throw CheckpointError.unexpectedEntry(path: source, name: e.name)
        }
    }

    /// Removes and returns entry `name`, which must have `shape`.
    mutating func take(_ name: String, shape: [Int]) throws -> [Float] {
        guard let e = byName.removeValue(forKey: name) else { throw CheckpointError.missingEntry(path: source, name: name) }
        guard e.shape == shape else { throw CheckpointError.shapeMismatch(path: source, name: name, expected: shape, found: e.shape) }
        return e.data
    }

    /// Removes and returns the exact step count saved as `name`.
    mutating func takeStep(_ name: String) throws -> Int {
        guard let e = byName.removeValue(forKey: name) else { throw CheckpointError.missingEntry(path: source, name: name) }
        let w = try e.integers(count: 1, source: source)[0]
        guard w <= UInt64(Int.max) else { throw CheckpointError.invalidEntry(path: source, name: name, reason: "step count \(w) is out of range") }
        return Int(w)
    }

    /// Throws for any entry not taken.
    func finish() throws {
        if let extra = byName.keys.sorted().first { throw CheckpointError.unexpectedEntry(path: source, name: extra) }
    }
}

/// Keeps one state value per parameter position and checks that positions keep their tensors.
struct ParameterSlots<State> {
    private var ids: [ObjectIdentifier] = []
    var states: [State] = []

    mutating func prepare(_ parameters: [Tensor], _ make: (Tensor) -> State) {
        if ids.isEmpty {
            ids = parameters.map(ObjectIdentifier.init)
            states = parameters.map(make)
        } else {
            precondition(ids.count == parameters.count && zip(ids, parameters).allSatisfy { $0 == ObjectIdentifier($1) },
                         "optimizer called with different parameters than on its first step: create one optimizer per model and pass model.parameters in the same order every step")
        }
    }

    /// The state of every position, or nil before the first step (or restore).
    func states(for parameters: [Tensor]) -> [State]? {
        guard !ids.isEmpty else { return nil }
        precondition(ids.count == parameters.count && zip(ids, parameters).allSatisfy { $0 == ObjectIdentifier($1) },
                     "optimizer state requested for different parameters than it steps")
        return states
    }

    /// Binds `states` to `parameters`, as if `prepare` had made them.
    mutating func restore(_ parameters: [Tensor], _ states: [State]) {
        precondition(parameters.count == states.count)
        ids = parameters.map(ObjectIdentifier.init)
        self.states = states
    }
}

extension Optimizer {
    /// One update from `loss`: zeroes the parameters' gradients, backpropagates, scales the
    /// gradients to global norm `clipNorm` when it is positive and exceeded, and steps. The one
    /// training step every loop (trainer, recipe checks, LR range test) takes.
    public func minimize(_ loss: Tensor, parameters: [Tensor], clipNorm: Float = 0) {
        for p in parameters { p.zeroGrad() }
        loss.backward()
        if clipNorm > 0 { GradientClipping.clipGlobalNorm(parameters, maxNorm: clipNorm) }
        step(parameters)
    }
}

public enum GradientClipping {
    /// The L2 norm of all gradients together.
    public static func globalNorm(_ parameters: [Tensor]) -> Float {
        var sq: Double = 0
        for p in parameters { if let g = p.grad { for v in g { sq += Double(v) * Double(v) } } }
        return Float(sq.squareRoot())
    }

    /// Scales all gradients by maxNorm / norm when their global norm exceeds `maxNorm`.
    /// Returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
        var sq: Double = 0
        for p in parameters { if let g = p.grad { for v in g { sq += Double(v) * Double(v) } } }
        let exact = sq.squareRoot(), norm = Float(exact)
        if exact > Double(maxNorm), exact.isFinite {
            let s = Float(Double(maxNorm) / exact)
            for p in parameters where p.grad != nil {
                p.grad!.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= s } }
            }
        }
        return norm
    }
}
