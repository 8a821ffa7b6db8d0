"""How an image function's container ended, as the outcome of its run."""
from qinling_execution import image_outcomes, outcomes


def test_exit_status_0_is_a_success_with_a_duration_and_no_output():
    outcome = image_outcomes.ended(0, False, False, 1.23456, "hi\n", 5)
    assert outcome == {"success": True, "output": None, "duration": 1.235, "logs": "hi\n"}
    assert outcomes.status_of(outcome) == "success"
    assert outcomes.result_of(outcome) == {"output": None, "duration": 1.235}


def test_a_container_killed_at_its_timeout_failed_with_qinlings_text():
    outcome = image_outcomes.ended(137, False, True, 5.02, "started\n", 5)
    assert outcomes.status_of(outcome) == "failed"
    assert outcomes.result_of(outcome) == {"output": "Function execution timeout.",
                                           "duration": 5}
    assert outcome["logs"] == "started\n"


def test_an_oom_kill_failed_for_too_much_resource_consumption():
    outcome = image_outcomes.ended(137, True, False, 0.4, "", 5)
    assert (outcomes.status_of(outcome), outcome["output"], outcome["duration"]) == (
        "failed", "Function execution failed because of too much resource consumption", 0.4)


def test_a_timeout_wins_over_what_the_kill_looked_like():
    assert image_outcomes.ended(137, True, True, 5.0, "", 5)["output"] == \
        "Function execution timeout."


def test_another_exit_status_is_named_not_called_a_timeout():
    outcome = image_outcomes.ended(3, False, False, 0.01, "oops\n", 5)
    assert outcomes.status_of(outcome) == "failed"
    assert outcome["output"] == "Function execution failed: its container exited with status 3."
    assert outcome["duration"] == 0.01


def test_an_image_that_cannot_be_pulled_says_so():
    outcome = image_outcomes.not_pulled("nosuch/image:1", "no such host")
    text = "Image nosuch/image:1 is not on the container engine and could not be pulled: " \
           "no such host"
    assert (outcomes.status_of(outcome), outcome["output"], outcome["logs"]) == (
        "failed", text, text + "\n")
    assert "platform_failure" not in outcome  # not retried: the image is the function's


def test_a_container_that_cannot_start_says_why():
    outcome = image_outcomes.not_started("img:1", "exec: \"/fn\": no such file")
    assert outcomes.status_of(outcome) == "failed"
    assert outcome["output"] == ('Function execution failed: The container of image img:1 '
                                 'could not start: exec: "/fn": no such file')
