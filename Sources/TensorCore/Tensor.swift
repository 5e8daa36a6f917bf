// Tensor: a Float32, row-major, dense n-dimensional array that can record the operations
// applied to it for reverse-mode differentiation (see Tensor+Autodiff.swift).
//
// Shape legend used throughout: N = batch, H/W = spatial, C = channels/features.
// Image tensors are NHWC (channels last): convolution output then falls straight out of one GEMM.

/// A dense Float32 tensor with reference semantics.
///
/// `data` holds `shape.reduce(1, *)` elements in row-major order. Operations never mutate
/// their inputs; they return new tensors. Only optimizers and explicit in-place helpers
/// (`assign`, `update`) mutate `data`, and only of leaf tensors (parameters).
///
/// Not thread-safe: a tensor and the graph it belongs to are used from one thread at a time.
public final class Tensor {
    /// The extent of each dimension; `[]` is a scalar.
    public let shape: [Int]
    /// Row-major contents.
    public var data: [Float]
    /// The gradient of the last `backward()` root with respect to this tensor, same layout as `data`.
    /// `nil` until a backward pass reaches it.
    public var grad: [Float]?
    /// Whether operations on this tensor are recorded for differentiation.
    public var requiresGrad: Bool

    /// Inputs of the operation that produced this tensor (empty for leaves).
    @usableFromInline internal var parents: [Tensor] = []
    /// Propagates `self.grad` into the parents' gradients. `nil` for leaves.
    @usableFromInline internal var backwardFn: ((Tensor) -> Void)?
    /// Set when a backward pass freed this node's graph: reaching it again is an error.
    @usableFromInline internal var graphReleased = false

    /// Creates a tensor from its shape and row-major data.
    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
    }

    /// A tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)),
                  requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(_ scalar: Float) {
        self.init(shape: [], data: [scalar])
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 1, requiresGrad: requiresGrad)
    }

    /// Number of elements.
    @inlinable public var count: Int { data.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(data.count == 1, "item needs a one-element tensor, shape is \(shape)")
        return data[0]
    }

    /// The element at a multi-index (slow; for tests and diagnostics).
    public subscript(_ index: Int...) -> Float {
        data[Tensor.linearIndex(index, shape: shape)]
    }

    /// Row-major strides of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            s[d] = acc
            acc *= shape[d]
        }
        return s
    }

    static func linearIndex(_ index: [Int], shape: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var li = 0
        for (d, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[d], "index \(index) out of bounds for \(shape)")
            li = li * shape[d] + i
        }
        return li
    }

    /// A copy that shares no graph history: a new leaf with the same values.
    public func detached() -> Tensor {
        Tensor(shape: shape, data: data)
    }

    /// Replaces the contents of a leaf tensor (e.g. loading a checkpoint). Shapes must match.
    public func assign(_ values: [Float]) {
        precondition(values.count == data.count, "assign: \(values.count) values into shape \(shape)")
        data = values
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = data.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), data: [\(head)\(data.count > 8 ? ", …" : "")])"
    }
}

/// Builds an array of `count` floats by letting `body` write every element.
@inlinable
public func makeBuffer(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buf, initialized in
        if count > 0 { body(buf.baseAddress!) }
        initialized = count
    }
}
