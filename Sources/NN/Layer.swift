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
/// - `outputShape(for:)` maps one example's input shape (no batch dimension: `[784]`,
///   `[28, 28, 1]` for H, W, C) to its output shape, or throws a `LayerShapeError` saying in
///   words what is wrong and what to do; `flopsPerExample(for:)` counts the forward pass's
///   FLOPs for one example of that shape (see `LayerShapeError.swift` for what is counted).
///   Both are pure: they compute nothing on tensors and change no state.
/// Layers are reference types used from one thread at a time.
public protocol Layer: AnyObject {
    func callAsFunction(_ x: Tensor) -> Tensor
    var namedParameters: [(String, Tensor)] { get }
    var namedBuffers: [(String, Tensor)] { get }
    var isTraining: Bool { get set }
    var namedRandomStreams: [(String, RNG)] { get }
    /// Replaces the stream `name` (as `namedRandomStreams` names it); false if there is none.
    func setRandomStream(_ name: String, to rng: RNG) -> Bool
    /// The layer's name in the sweep file's layer language (`dense`, `conv2d`, `relu`, …).
    var layerName: String { get }
    /// The constructor's arguments in words (`256 units`, `32 × 3×3, stride 1, padding 1`), for summaries.
    var layerArguments: String { get }
    /// One example's output shape for an input of shape `input` (no batch dimension).
    func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int]
    /// Forward FLOPs for one example of shape `input`: 2 per multiply-add of a dense or conv
    /// layer, 0 for elementwise, normalisation, pooling and lookup layers. Unspecified (0 for the
    /// built-in layers) when `outputShape(for: input)` throws.
    func flopsPerExample(for input: [Int]) -> Int
}

extension Layer {
    public var namedBuffers: [(String, Tensor)] { [] }
    public var namedRandomStreams: [(String, RNG)] { [] }
    public func setRandomStream(_ name: String, to rng: RNG) -> Bool { false }
    /// The type's name, lowercased (layers of the language override it).
    public var layerName: String { String(describing: type(of: self)).lowercased() }
    public var layerArguments: String { "" }
    /// Layers outside NN that do not say: an error naming the layer (so summaries fail loudly
    /// rather than guess).
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        throw LayerShapeError(layer: layerName, input: input,
                              problem: "cannot be checked: \(type(of: self)) does not implement outputShape(for:)")
    }
    public func flopsPerExample(for input: [Int]) -> Int { 0 }
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
