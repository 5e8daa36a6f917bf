// Embedding: a learned vector per category id, for integer inputs (categorical columns).
// Input [N, F] holds F category ids per example as integer-valued floats; output [N, F·dim] is
// their vectors side by side (flattened per example, ready for a dense layer). The gradient
// scatter-adds into the rows that were looked up (see Tensor.embedding).
import TensorCore

public final class Embedding: Layer {
    public let table: Tensor   // [vocabulary, dim]
    public var isTraining = true

    /// Rows drawn N(0, 1) (PyTorch's default; the dense layer after it scales as it needs), or
    /// by `initializer` with fan-in 1 and fan-out `dim`.
    public init(vocabulary: Int, dim: Int, initializer: Initializer = .normal(std: 1), rng: inout RNG) {
        precondition(vocabulary > 0 && dim > 0, "Embedding needs a positive vocabulary and dim, got \(vocabulary), \(dim)")
        table = Tensor(shape: [vocabulary, dim],
                       data: initializer.sample(count: vocabulary * dim, fanIn: 1, fanOut: dim, rng: &rng), requiresGrad: true)
    }

    public var vocabulary: Int { table.shape[0] }
    public var dim: Int { table.shape[1] }
    public var namedParameters: [(String, Tensor)] { [("table", table)] }

    /// Stops with a message naming the id when one is not an integer in 0..<vocabulary.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.embedding(x, table: table) }

    public var layerName: String { "embedding" }
    public var layerArguments: String { "vocabulary \(vocabulary), dim \(dim)" }
    /// [F] → [F·dim].
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try Embedding.outputShape(dim: dim, for: input)
    }

    /// The shape an embedding of `dim` gives `input` [F] (F ids per example): [F·dim].
    public static func outputShape(dim: Int, for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard input.count == 1 else {
            throw LayerShapeError(layer: "embedding", input: input,
                                  problem: "has \(LayerShapeError.dimensions(input.count)) after the batch; it takes [N, F] category ids (integer columns), so put it first, on the integer inputs")
        }
        return [input[0] * dim]
    }
}
