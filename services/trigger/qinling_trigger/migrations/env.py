from qinling_shared.migrations import run

run()
