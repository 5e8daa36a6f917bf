// StoredEnsemble: `hpsearch ensemble` — an ensemble of a run directory's finished trials, built
// from their stored predictions under the run's lock and stored with the run.
import Ensembles
import Foundation
import Search
import Storage
import Training

public enum StoredEnsemble {
    /// Builds `method` (default: the sweep's `ensemble.method`, else average) of the top `top`
    /// (default: `ensemble.top_k`, else 5) trials of the sweep in `directory`, with up to `steps`
    /// greedy additions (`keepAll`: the plain average, no trial left out); stores and returns it.
    public static func build(in directory: String, top: Int?, method: String?, steps: Int, keepAll: Bool = false) throws -> EnsembleReport {
        let run = RunDirectory(directory)
        guard run.exists else { throw CoordinatorError("\(directory) holds no sweep (no sweep.db)") }
        let lock = try RunLock(run)
        defer { withExtendedLifetime(lock) {} }
        let store = try SQLiteStore(path: run.storePath)
        let spec = try StoredSweep.trainingSpec(of: run, store: store)
        let data = spec.program != nil ? try ProgramData.prepared(run: run, store: store, spec: spec) : try PreparedData.load(spec.data, seed: spec.seed)
        return try EnsembleBuilder(spec: spec, store: store, run: run, data: data)
            .build(top: top ?? spec.ensemble?.topK ?? 5, method: method ?? spec.ensemble?.method ?? "average", steps: steps, keepAll: keepAll)
    }
}
