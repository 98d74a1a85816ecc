from django.core.management import get_commands, load_command_class

OUR_APPS = ("policies", "arrivals", "tracker")


def test_every_command_of_ours_loads():
    # generate_benchmark_data, which no test runs, once imported load_seed from where it had been.
    ours = {name: app for name, app in get_commands().items() if app in OUR_APPS}
    assert {"load_seed", "generate_benchmark_data", "import_ice_287g"} <= ours.keys()
    for name, app in ours.items():
        assert load_command_class(app, name).help, name
