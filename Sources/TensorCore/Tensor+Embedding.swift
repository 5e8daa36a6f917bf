// Embedding lookup: integer ids (stored as Floats) select rows of a table; the gradient
// scatter-adds back into the selected rows (an id seen twice gets both contributions).

extension Tensor {
    /// ids [N, F] of integer-valued floats in 0..<V, table [V, D] → [N, F·D]: example n's output
    /// is the rows table[ids[n, 0]], …, table[ids[n, F − 1]] side by side (flattened per example).
    /// An id that is not an integer or lies outside 0..<V stops with a message naming it, its
    /// position and the vocabulary. No gradient flows to `ids` (they are indices, not values).
    public static func embedding(_ ids: Tensor, table: Tensor) -> Tensor {
        precondition(ids.rank == 2, "embedding needs ids [N, F] (category ids per example), got \(ids.shape)")
        precondition(table.rank == 2, "embedding needs a table [vocabulary, dim], got \(table.shape)")
        let (n, f) = (ids.shape[0], ids.shape[1])
        let (v, d) = (table.shape[0], table.shape[1])
        if let problem = embeddingIdProblem(ids.data, columns: f, vocabulary: v) { preconditionFailure(problem) }
        let index = ids.data.map { Int($0) }
        let out = makeBuffer(n * f * d) { y in
            table.data.withUnsafeBufferPointer { pt in
                for (i, row) in index.enumerated() { (y + i * d).initialize(from: pt.baseAddress! + row * d, count: d) }
            }
        }
        let result = Tensor(shape: [n, f * d], data: out)
        result.record([table]) { r in
            r.grad!.withUnsafeBufferPointer { dy in
                table.accumulateGrad { gt in
                    for (i, row) in index.enumerated() {
                        let src = dy.baseAddress! + i * d, dst = gt + row * d
                        for j in 0..<d { dst[j] += src[j] }
                    }
                }
            }
        }
        return result
    }

    /// Why `ids` (row-major, `columns` per example) are not all category ids of a vocabulary of
    /// `vocabulary` — naming the first bad id, its example and column — or nil when they are.
    public static func embeddingIdProblem(_ ids: [Float], columns: Int, vocabulary: Int) -> String? {
        for (i, value) in ids.enumerated() where !(value.rounded() == value && value >= 0 && value < Float(vocabulary)) {
            let f = Swift.max(columns, 1)
            let text = value.isFinite && value.rounded() == value && Swift.abs(value) < 1e9 ? String(Int(value)) : "\(value)"
            return "embedding: id \(text) (example \(i / f), column \(i % f)) is not a category id of the vocabulary of "
                + "\(vocabulary) (integers 0..<\(vocabulary)); give the embedding a larger vocabulary or map the ids into range"
        }
        return nil
    }
}
