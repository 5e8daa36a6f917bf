// HPSearch: the command-line tool's top command. Commands parse and print; the work lives in
// modules. A library target, so that `hpsearch` (Sources/hpsearch/main.swift) and a user's own
// binary built on HPSearchKit run the same commands.
import ArgumentParser

public struct HPSearch: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "hpsearch",
        abstract: "Distributed random hyperparameter search with early stopping, ensembles and distillation.",
        version: "0.1.0",
        subcommands: [Run.self, Resume.self, Status.self, Report.self, Export.self, Ensemble.self, Distill.self, Simulate.self, Train.self, Check.self, LRFind.self, Params.self, Bench.self, SelfTest.self]
    )

    public init() {}
}
