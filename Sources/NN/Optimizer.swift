// Optimizer: the update-rule protocol, plus global-norm gradient clipping.
import Foundation
import TensorCore

/// Updates parameters in place from their gradients.
///
/// Contract: `step` reads each parameter's `grad` (a parameter whose grad is nil is skipped
/// and its state left alone), writes `data`, and does not clear gradients (callers zero them).
/// Per-parameter state (moments, velocities) is kept by position: pass the same parameters in
/// the same order on every call. `learningRate` may change between steps (schedules).
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Number of steps taken so far.
    var stepCount: Int { get }
    func step(_ parameters: [Tensor])
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
