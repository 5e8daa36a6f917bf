// Activation layers: ReLU, LeakyReLU, ELU, GELU, Tanh, Sigmoid (the functions live on Tensor).
import TensorCore

public enum ActivationKind: String, Sendable, CaseIterable {
    case relu, leakyRelu = "leaky_relu", elu, gelu, tanh, sigmoid, identity
}

public final class Activation: StatelessLayer {
    public let kind: ActivationKind
    public init(_ kind: ActivationKind) { self.kind = kind }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case .relu: return x.relu()
        case .leakyRelu: return x.leakyRelu()
        case .elu: return x.elu()
        case .gelu: return x.gelu()
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .identity: return x
        }
    }

    /// The activation's own name (`relu`, `leaky_relu`, …).
    public var layerName: String { kind.rawValue }
    /// Any shape, unchanged.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] { input }
}
