// TrialTable: the coordinator's trial records by index, in a dense array.
import Storage

/// Trial records by index: an array slot per index 0..<n (the coordinator's indices are dense
/// from 0), so the per-epoch lookup is an index, not a hash of the key (at 10,000 workers the
/// dictionary it replaces was a measurable share of rank 0's time). Negative indices, which the
/// coordinator never hands out, go to a dictionary so that any stored record still fits.
/// `values` come in index order (negative indices first).
struct TrialTable {
    private var slots: [TrialRecord?] = []
    private var negative: [Int: TrialRecord] = [:]

    subscript(index: Int) -> TrialRecord? {
        get {
            if index >= 0 { return index < slots.count ? slots[index] : nil }
            return negative[index]
        }
        set {
            guard index >= 0 else { negative[index] = newValue; return }
            if index >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(nil, count: max(index + 1 - slots.count, slots.count)))
            }
            slots[index] = newValue
        }
    }

    /// Every record, by index.
    var values: [TrialRecord] {
        negative.values.sorted { $0.index < $1.index } + slots.compactMap { $0 }
    }
}
