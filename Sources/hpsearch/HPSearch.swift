// hpsearch: the command-line entry point. Commands parse and print; the work lives in modules.
import ArgumentParser

@main
struct HPSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hpsearch",
        abstract: "Distributed random hyperparameter search with early stopping, ensembles and distillation.",
        version: "0.1.0",
        subcommands: [Run.self, Resume.self, Status.self, Report.self, Export.self, Ensemble.self, Distill.self, Simulate.self, Train.self, Check.self, LRFind.self, Params.self, Bench.self, SelfTest.self]
    )
}
