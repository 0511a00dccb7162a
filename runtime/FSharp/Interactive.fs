namespace JaxToolchain.FSharp

open System
open JaxToolchain

/// <summary>
/// F# Interactive: inside <c>dotnet fsi</c>, arrays print as JAX prints them (<c>Array([0., 1.], dtype=float32)</c>)
/// instead of FSI's default for .NET objects (their text and every property). Installed by the first use of
/// <c>jnp</c>, <c>jax</c> or <c>random</c>; outside FSI it does nothing.
/// </summary>
module Interactive =
    let private gate = obj ()
    let mutable private installed = false

    /// <summary>
    /// Registers JAX's repr as FSI's printer of <c>Tensor</c> (<c>fsi.AddPrinter</c>), when this process is F#
    /// Interactive: found by reflection, since a library cannot reference FSI's settings assembly. Idempotent.
    /// </summary>
    [<CompiledName("Install")>]
    let install () =
        lock gate (fun () ->
            // F# Interactive always runs with dynamic code; a NativeAOT app never is FSI.
            if not installed && System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported then
                installed <- true
                let settings =
                    AppDomain.CurrentDomain.GetAssemblies()
                    |> Array.tryFind (fun a -> a.GetName().Name = "FSharp.Compiler.Interactive.Settings")
                    |> Option.bind (fun a -> Option.ofObj (a.GetType "FSharp.Compiler.Interactive.Settings"))
                match settings |> Option.bind (fun t -> Option.ofObj (t.GetProperty "fsi")) with
                | Some property ->
                    let session = property.GetValue null
                    match Option.ofObj (session.GetType().GetMethod "AddPrinter") with
                    | Some addPrinter ->
                        let printer: Tensor -> string = fun t -> t.ToString()
                        addPrinter.MakeGenericMethod(typeof<Tensor>).Invoke(session, [| box printer |]) |> ignore
                    | None -> ()
                | None -> ())
