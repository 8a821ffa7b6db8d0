from qinling_nameko.migrations import run

run()
