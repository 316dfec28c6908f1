"""Power description files (rnc.hw.power_file): every value checked, one line per problem."""
import pytest

from rnc.hw.power import ConstantHarvester, PowerError, ResistiveHarvester, TraceHarvester
from rnc.hw.power_file import load_power_file

RRAM = """
[nvm]
name = "rram"
read_j = 1e-9
read_j_per_byte = 1e-12
read_s = 1e-8
read_s_per_byte = 1e-9
write_j = 1e-9
write_j_per_byte = 1e-11
write_s = 1e-8
write_s_per_byte = 1e-8
endurance_writes = 1e6
"""


def _write(tmp_path, text):
    path = tmp_path / "power.toml"
    path.write_text(text)
    return path


def test_full_description(tmp_path):
    (tmp_path / "solar.csv").write_text("0,0.001\n1,0.003\n")
    path = _write(tmp_path, '[capacitor]\nfarads = 5e-3\nmargin = 0.5\n[harvester]\ntrace = "solar.csv"\n'
                            '[device]\nreboot_j = 1e-5\nbuffer_bytes = 4096\n' + RRAM)
    p = load_power_file(path)
    assert p.capacitor.farads == 5e-3 and p.capacitor.margin == 0.5 and p.capacitor.von_v == 2.99
    assert isinstance(p.harvester, TraceHarvester) and p.reboot_j == 1e-5 and p.buffer_bytes == 4096
    assert p.nvm.name == "rram" and p.nvm.endurance_writes == 1e6


def test_harvester_kinds(tmp_path):
    assert isinstance(load_power_file(_write(tmp_path, "[capacitor]\nfarads = 1e-3\n[harvester]\nohms = 22\n"))
                      .harvester, ResistiveHarvester)
    assert isinstance(load_power_file(_write(tmp_path, "[capacitor]\nfarads = 1e-3\n[harvester]\nwatts = 0.01\n"))
                      .harvester, ConstantHarvester)


@pytest.mark.parametrize("text,message", [
    ("[capacitor]\nfarads = -1.0\n", "power.toml: capacitor.farads = -1.0: must be a finite number in (0, 100]"),
    ("[capacitor]\nvon_v = 3.0\n", "power.toml: capacitor.farads: is required"),
    ("[capacitor]\nfarads = 1e-3\nvoff_v = 3.5\n", "capacitor.voff_v = 3.5: must be below von"),
    ("[capacitor]\nfarads = 1e-3\nsize = 2\n", "power.toml: capacitor.size: unknown key"),
    ("[battery]\nx = 1\n", "power.toml: battery: unknown table"),
    ("[capacitor]\nfarads = 1e-3\n[harvester]\nohms = 22\nwatts = 1\n", "harvester: needs exactly one of"),
    ("[capacitor]\nfarads = 1e-3\n[harvester]\nohms = nan\n", "harvester.ohms = nan"),
    ("[capacitor]\nfarads = 1e-3\n[device]\nreboot_s = -1\n", "device.reboot_s = -1.0"),
    ("[capacitor]\nfarads = 1e-3\n[device]\nbuffer_bytes = 0.5\n", "device.buffer_bytes = 0.5: must be an integer"),
    ("[capacitor]\nfarads = 1e-3\n" + RRAM.replace("1e6", "0.5"), "nvm.endurance_writes = 0.5"),
    ("[capacitor]\nfarads = 1e-3\n[nvm]\nname = 'x'\n", "nvm: incomplete"),
    ("[capacitor\n", "power.toml: invalid TOML"),
])
def test_bad_files_are_one_line_errors(tmp_path, text, message):
    with pytest.raises(PowerError) as e:
        load_power_file(_write(tmp_path, text))
    assert message in str(e.value) and "\n" not in str(e.value)
