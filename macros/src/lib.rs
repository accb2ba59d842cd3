//! `#[simloop::test]`: an `async fn` test run by `simloop::check` over many seeds.
//!
//! Re-exported by `simloop` under its `macros` feature; see `simloop::test` for the
//! documentation and examples.

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Error, Expr, ExprLit, ItemFn, Lit, MetaNameValue, Token};

/// Turns `async fn name() { body }` into a `#[test] fn name()` that runs `body` under
/// `simloop::check_with`, once per seed; the `SIMLOOP_*` variables apply.
///
/// Arguments: `iterations = N` (runs in the sweep) and `strategy = "..."` (a strategy as
/// `SIMLOOP_STRATEGY` spells it, such as `"random"` or `"pct:3"`).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let args = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(args)?;
    let mut config = quote!(::simloop::Config::default());
    for arg in &args {
        let name = arg
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match (name.as_str(), &arg.value) {
            (
                "iterations",
                Expr::Lit(ExprLit {
                    lit: Lit::Int(n), ..
                }),
            ) => {
                let n: u64 = n.base10_parse()?;
                config = quote!(#config.with_iterations(#n));
            }
            (
                "strategy",
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }),
            ) => {
                let text = s.value();
                let message = format!("#[simloop::test]: strategy = {text:?} is not a strategy");
                config = quote!(#config.with_strategy(
                    <::simloop::Strategy as ::core::str::FromStr>::from_str(#text)
                        .unwrap_or_else(|error| panic!("{}: {}", #message, error))
                ));
            }
            _ => return Err(Error::new_spanned(
                arg,
                "#[simloop::test] takes `iterations = <integer>` and `strategy = \"<strategy>\"` \
                     (such as `strategy = \"pct:3\"`)",
            )),
        }
    }
    let function: ItemFn = syn::parse2(item)?;
    if function.sig.asyncness.is_none() {
        return Err(Error::new_spanned(
            function.sig.fn_token,
            "#[simloop::test] goes on an `async fn`: write `async fn name() { ... }`",
        ));
    }
    if !function.sig.inputs.is_empty() {
        return Err(Error::new_spanned(
            &function.sig.inputs,
            "#[simloop::test] functions take no arguments",
        ));
    }
    let attrs = &function.attrs;
    let vis = &function.vis;
    let name = &function.sig.ident;
    let body = &function.block;
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            ::simloop::check_with(#config, || async #body);
        }
    })
}
