//! Every option the library's table gives a CLI flag or environment variable is one `soku --help`
//! documents (the table is the source of the names the CLI's messages use).

mod common;

use common::run_with;

#[test]
fn help_documents_every_cli_name_of_the_option_table() {
    let help = run_with(&[], &["--help"], None).expect(0).stdout;
    let mut checked = 0;
    for o in soku::options::OPTIONS {
        for name in [o.cli, o.env].into_iter().flatten() {
            assert!(
                help.contains(name),
                "soku --help does not mention {name} ({})",
                o.key
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}
