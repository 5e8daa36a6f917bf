// Shape operations: reshape (no copy: the data array is shared copy-on-write), transpose and
// permute (copies), and row selection.

extension Tensor {
    /// The same elements with a new shape of equal size; one dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            s[i] = count / known
        }
        precondition(s.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        let result = Tensor(shape: s, data: data)
        let n = count
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                self.accumulateGrad { gx in for i in 0..<n { gx[i] += g[i] } }
            }
        }
        return result
    }

    /// [N, ...] → [N, rest].
    public func flattened() -> Tensor { reshaped([shape.first ?? 1, -1]) }

    /// Dimensions reordered: result dimension d is input dimension `order[d]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) invalid for rank \(rank)")
        let outShape = order.map { shape[$0] }
        let inStrides = Tensor.strides(of: shape)
        let srcStrides = order.map { inStrides[$0] }
        let map = Broadcast.indexMap(strides: srcStrides, result: outShape)
        let n = count
        let out = makeBuffer(n) { o in data.withUnsafeBufferPointer { x in for i in 0..<n { o[i] = x[map[i]] } } }
        let result = Tensor(shape: outShape, data: out)
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                self.accumulateGrad { gx in for i in 0..<n { gx[map[i]] += g[i] } }
            }
        }
        return result
    }

    /// Transpose of a 2-D tensor.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a 2-D tensor, shape is \(shape)")
        return permuted([1, 0])
    }

    /// Selects rows (indices into the first dimension), in the given order. Gradient scatters back.
    public func rows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "rows() needs rank ≥ 1")
        let rowSize = count / Swift.max(shape[0], 1)
        var outShape = shape
        outShape[0] = indices.count
        let out = makeBuffer(indices.count * rowSize) { o in
            data.withUnsafeBufferPointer { x in
                for (k, r) in indices.enumerated() {
                    precondition(r >= 0 && r < shape[0], "row \(r) out of range 0..<\(shape[0])")
                    (o + k * rowSize).initialize(from: x.baseAddress! + r * rowSize, count: rowSize)
                }
            }
        }
        let result = Tensor(shape: outShape, data: out)
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                self.accumulateGrad { gx in
                    for (k, row) in indices.enumerated() {
                        for j in 0..<rowSize { gx[row * rowSize + j] += g[k * rowSize + j] }
                    }
                }
            }
        }
        return result
    }
}
