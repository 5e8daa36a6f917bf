// Layer: the protocol every network building block conforms to.
import TensorCore

/// A differentiable function with explicit, named state.
///
/// Contract:
/// - `callAsFunction` never mutates its input; in training mode it may update buffers (batch
///   norm's running statistics) and draw from the layer's own RNG stream (dropout).
/// - `namedParameters` lists the trainable tensors, in a stable order with stable names; the
///   optimizer and checkpoints rely on both.
/// - `namedBuffers` lists non-trainable state that a checkpoint must also save.
/// - `isTraining` switches train/eval behaviour (dropout, batch norm); containers propagate it.
/// - `namedRandomStreams` lists the generators the layer draws from in training (dropout's
///   masks), with stable names, and `setRandomStream(_:to:)` replaces one: a resumable training
///   state saves and restores them (see `randomStateEntries()`). Containers prefix and forward.
/// Layers are reference types used from one thread at a time.
public protocol Layer: AnyObject {
    func callAsFunction(_ x: Tensor) -> Tensor
    var namedParameters: [(String, Tensor)] { get }
    var namedBuffers: [(String, Tensor)] { get }
    var isTraining: Bool { get set }
    var namedRandomStreams: [(String, RNG)] { get }
    /// Replaces the stream `name` (as `namedRandomStreams` names it); false if there is none.
    func setRandomStream(_ name: String, to rng: RNG) -> Bool
}

extension Layer {
    public var namedBuffers: [(String, Tensor)] { [] }
    public var namedRandomStreams: [(String, RNG)] { [] }
    public func setRandomStream(_ name: String, to rng: RNG) -> Bool { false }
    /// Trainable tensors, in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters.map(\.1) }
    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    /// Drops every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// A layer with no parameters and no train/eval distinction (activations, reshapes).
public protocol StatelessLayer: Layer {}

extension StatelessLayer {
    public var namedParameters: [(String, Tensor)] { [] }
    public var isTraining: Bool {
        get { false }
        set {}
    }
}
